/**
 * The episodes whose condition cleared and whose alert waits out its quiet period
 * (episodes.ts), kept with the engine's state: a return of the condition continues the
 * episode, the end of the period (in the gateway's event time) resolves it.
 */
import type { AlertType } from '@gridsafe/shared';
import { episodeKey, type QuietEpisode } from './episodes.js';

export class QuietEpisodes {
  private episodes: Record<string, QuietEpisode> = {};
  // No episode is due before this (it may be earlier than the truth, never later).
  private earliestDue = Number.NEGATIVE_INFINITY;

  constructor(private readonly onChange: () => void) {}

  restore(saved: Record<string, QuietEpisode> | undefined): void {
    this.episodes = saved ?? {};
  }

  snapshot(): Record<string, QuietEpisode> {
    return this.episodes;
  }

  /** The condition is back: true when it was waiting out a quiet period (the same episode goes on). */
  resume(type: AlertType, subject: string): boolean {
    const k = episodeKey(type, subject);
    if (!this.episodes[k]) return false;
    delete this.episodes[k];
    this.onChange();
    return true;
  }

  start(episode: QuietEpisode): void {
    this.episodes[episodeKey(episode.type, episode.subject)] = episode;
    this.earliestDue = Math.min(this.earliestDue, episode.due);
    this.onChange();
  }

  /** Takes out, one at a time, this gateway's episodes whose quiet period is over by event time `now`. */
  *takeDue(gateway: string, now: number): Generator<QuietEpisode> {
    if (now < this.earliestDue) return;
    this.earliestDue = Number.POSITIVE_INFINITY;
    for (const [k, episode] of Object.entries(this.episodes)) {
      if (episode.gateway !== gateway || episode.due > now) {
        this.earliestDue = Math.min(this.earliestDue, episode.due);
        continue;
      }
      delete this.episodes[k];
      this.onChange();
      yield episode;
    }
  }
}
