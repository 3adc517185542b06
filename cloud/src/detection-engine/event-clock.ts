/**
 * The engine's sense of "now" in event time, for silence rules (deadman).
 *
 * The watermark is the latest reading or event timestamp seen. Between batches, a
 * clock tick moves event time on at wall-clock speed from the moment the watermark
 * last advanced, never past the wall clock. So live, when everything goes quiet,
 * event time keeps flowing and silence is noticed; in a replay of old data at many
 * times real speed, only milliseconds of wall time pass between batches, so event
 * time is set by the data and the replay gives the same alerts as living through it.
 */
export interface EventClockState {
  watermark: number | null;
  extended: number | null;
}

export class EventClock {
  private watermark: number | null = null;
  /** Wall time when the watermark last advanced. */
  private wallAt = 0;
  /** Event time reached by ticks beyond the watermark. */
  private extended: number | null = null;

  /** Notes an event timestamp; returns true when the watermark moved. */
  observe(ts: number, wallNow: number): boolean {
    if (this.watermark !== null && ts <= this.watermark) return false;
    this.watermark = ts;
    this.wallAt = wallNow;
    return true;
  }

  tick(wallNow: number): void {
    if (this.watermark === null) return;
    const estimate = Math.min(wallNow, this.watermark + Math.max(0, wallNow - this.wallAt));
    if (estimate > (this.extended ?? Number.NEGATIVE_INFINITY)) this.extended = estimate;
  }

  now(): number | null {
    if (this.watermark === null) return null;
    return Math.max(this.watermark, this.extended ?? Number.NEGATIVE_INFINITY);
  }

  snapshot(): EventClockState {
    return { watermark: this.watermark, extended: this.extended };
  }

  /** After a restart the cloud's own downtime is not device silence: event time resumes from the saved point. */
  restore(saved: EventClockState, wallNow: number): void {
    this.watermark = saved.watermark;
    this.extended = saved.extended;
    this.wallAt = wallNow;
  }
}
