/**
 * bench:detect's scale figures: ingest values per CPU-second with 1 and with 3 cloud
 * instances on the same shared stores (issue 13), and the per-instance efficiency of 3
 * against 1. They need the multi-instance mode of issue 13; until that mode is on main
 * this reports no figures (null) and why, rather than a number not measured.
 */
export interface ScaleFigures {
  instances1: number | null;
  instances3: number | null;
  ratio: number | null;
  /** Why the figures are null, when they are. */
  missing?: string;
}

export async function measureScale(): Promise<ScaleFigures> {
  return {
    instances1: null,
    instances3: null,
    ratio: null,
    missing: 'the multi-instance mode of issue 13 is not on main yet, so no 1- and 3-instance run was made',
  };
}
