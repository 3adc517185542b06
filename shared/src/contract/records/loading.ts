/**
 * A transformer's loading and a customer's demand over a time range, as the cloud answers
 * them (GET /api/v1/transformers/{id}/loading, GET /api/v1/customers/{id}/demand) and the
 * console's transformer and customer pages read them.
 */

export interface TransformerLoading {
  transformer: string;
  ratedKva: number;
  everyMs: number;
  /** The loading mode's limits (IEC 60076-7). */
  limits: { topOilC: number; hotSpotC: number; currentPu: number };
  /** Where the ambient temperature comes from (the site's profile). */
  ambient: string;
  /** The meters counted in the load. */
  meters: string[];
  points: Array<{ ts: number; kva: number | null; topOilC: number | null; hotSpotC: number | null }>;
}

export interface CustomerDemand {
  customer: string;
  contractKva: number;
  windowMs: number;
  /** Each point is the highest block of its interval when the range holds more blocks than a chart shows. */
  everyMs: number;
  meters: string[];
  points: Array<{ ts: number; kva: number | null; kw: number | null }>;
}
