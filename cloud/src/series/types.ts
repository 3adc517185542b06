/**
 * The vocabulary of series queries, shared by the HTTP API and the series backends:
 * the aggregates a query may ask for and the demand period.
 */
export const AGGREGATES = ['mean', 'max', 'min', 'last'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

/** 15 minutes: the demand period (FACTS.md, "Maximum demand: the average power over a 15-minute demand period"). */
export const DEMAND_WINDOW_MS = 15 * 60 * 1000;
