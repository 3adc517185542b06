/** The vocabulary of alert lists, shared by the HTTP routes and the alert store. */

/**
 * How a list is ordered. `triage`: alerts still needing someone first, then by severity
 * (critical first), then the most recently seen; resolved alerts come after all the others.
 * `newest` / `oldest`: by when they opened; `last_seen`: most recently seen first.
 */
export const ALERT_SORTS = ['triage', 'newest', 'oldest', 'last_seen'] as const;
export type AlertSort = (typeof ALERT_SORTS)[number];
