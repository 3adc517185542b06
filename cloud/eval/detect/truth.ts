/**
 * Ground truth derived from physics rather than from what was injected: the CT
 * secondary current above its rating, wherever it happened (a capacity excess, an
 * overload, a motor start). Sustained (5 minutes or more: the "sustained" of FACTS.md)
 * it is expected; shorter, it is tolerated either way.
 */
import type { Episode, FleetPlan } from './plan.js';
import type { Generated } from './generate.js';

const SUSTAINED_MS = 5 * 60_000;
/** Readings are a minute apart: more than this between two above the rating is a dip. */
const STEP_GAP_MS = 90_000;
/** Runs closer than this are one window of tolerance (a load hovering at the rating). */
const BRIDGE_MS = 10 * 60_000;

export function derivedEpisodes(plan: FleetPlan, gen: Generated, firstId: number): Episode[] {
  const out: Episode[] = [];
  let id = firstId;
  for (const [device, series] of gen.truthValues) {
    const dev = plan.registry.devices.find((d) => d.id === device)!;
    // Windows of time above the rating (dips shorter than BRIDGE_MS bridged); a window is
    // expected when it holds one strict run (no dip at all) of SUSTAINED_MS or more.
    let winStart: number | null = null;
    let lastAbove = 0;
    let runStart: number | null = null;
    let sustained = false;
    const close = () => {
      if (winStart === null) return;
      const key = `ct_secondary_overlimit@${device}`;
      out.push({
        id: id++,
        kind: 'ct_overlimit',
        device,
        start: winStart,
        end: lastAbove + 60_000,
        expect: sustained ? [key] : [],
        tolerate: sustained ? [] : [key],
        benign: false,
        params: { derived: true },
      });
      winStart = null;
      sustained = false;
    };
    for (const { ts, secondaryA } of series) {
      if (Number.isNaN(secondaryA)) {
        runStart = null;
        continue;
      }
      if (secondaryA > dev.ctSecondaryA) {
        if (winStart !== null && ts - lastAbove > BRIDGE_MS) close();
        if (winStart === null) winStart = ts;
        if (runStart === null || ts - lastAbove > STEP_GAP_MS) runStart = ts;
        if (ts - runStart >= SUSTAINED_MS) sustained = true;
        lastAbove = ts;
      } else {
        runStart = null;
        if (winStart !== null && ts - lastAbove > BRIDGE_MS) close();
      }
    }
    close();
  }
  return out;
}
