/** A plain daily load shape with deterministic noise, for baseline rules. */
export const DAY = 86_400_000;

/** Local hour (UTC+8) of a timestamp. */
export function localHour(ts: number): number {
  return ((((ts + 8 * 3_600_000) % DAY) + DAY) % DAY) / 3_600_000;
}

/** Local day of week (0 = Sunday), UTC+8. */
export function localDow(ts: number): number {
  return new Date(ts + 8 * 3_600_000).getUTCDay();
}

/** Deterministic noise in [-1, 1]. */
export function noise(ts: number, salt = 0): number {
  const x = Math.sin((ts / 60_000) * 12.9898 + salt * 78.233) * 43758.5453;
  return 2 * (x - Math.floor(x)) - 1;
}

/** Commercial shape: 20 kW at night, 80 kW from 08:00 to 18:00 on weekdays; weekends 30 kW all day. */
export function commercialKw(ts: number): number {
  const h = localHour(ts);
  const dow = localDow(ts);
  const weekend = dow === 0 || dow === 6;
  const base = weekend ? 30 : h >= 8 && h < 18 ? 80 : 20;
  return base * (1 + 0.03 * noise(ts));
}
