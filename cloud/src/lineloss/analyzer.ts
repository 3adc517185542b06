/**
 * The line-loss pass: for every transformer area, every finished local day not yet
 * stored (at most `catchUpDays` back) is computed from the stored counters, stored, and
 * the area's `line_loss_abnormal` alert raised, updated or cleared from the stored days.
 * Everything it needs is stored, so a pass after a restart simply carries on.
 */
import type { Logger, Transformer } from '@gridsafe/shared';
import type { AlertStore, RegistryView } from '../detector-kit/types.js';
import type { SeriesStore } from '../storage/series/types.js';
import { computeAreaDay, type AreaDay } from './area-day.js';
import type { LineLossStore } from './day-store.js';
import { DAY_MS, localDayStart } from './local-day.js';
import { lineLossOutcome } from './outcome.js';
import type { LineLossSettings, LossBand } from './settings.js';

/** The registry as the pass needs it: the view detection has, and the list of transformers. */
export interface AreaRegistry extends RegistryView {
  listTransformers(limit: number, offset: number): Promise<{ items: Transformer[]; total: number }>;
}

export interface LineLossDeps {
  series: SeriesStore;
  registry: AreaRegistry;
  alerts: AlertStore;
  store: LineLossStore;
  settings: LineLossSettings;
  log: Logger;
}

export class LineLossAnalyzer {
  constructor(private readonly deps: LineLossDeps) {}

  /** An area's band: set through the API, else from the config file, else the default. */
  async bandOf(area: string | undefined): Promise<LossBand> {
    const stored = area ? await this.deps.store.band(area) : undefined;
    if (stored) return { lowPct: stored.lowPct, highPct: stored.highPct };
    const configured = area ? this.deps.settings.bands[area] : undefined;
    return configured ? { lowPct: configured.lowPct, highPct: configured.highPct } : this.deps.settings.defaultBand;
  }

  private async transformers(): Promise<Transformer[]> {
    const out: Transformer[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await this.deps.registry.listTransformers(1000, offset);
      out.push(...page.items);
      if (out.length >= page.total || page.items.length === 0) return out;
    }
  }

  /** Computes, stores and judges one area's day; the alert follows the stored days. */
  async analyzeDay(transformer: string, dayStart: number): Promise<AreaDay> {
    const { series, registry, alerts, store, settings } = this.deps;
    const band = await this.bandOf(registry.transformer(transformer)?.area);
    const day = await computeAreaDay(series, registry, transformer, dayStart, band, settings);
    await store.putDay(day);
    const window = await store.days(transformer, dayStart - settings.windowDays * DAY_MS, dayStart + 1);
    const outcome = lineLossOutcome(window, settings);
    if (outcome.kind === 'raise') await alerts.raise(outcome.signal);
    else if (outcome.kind === 'clear')
      await alerts.clear('line_loss_abnormal', transformer, outcome.ts, outcome.evidence);
    return day;
  }

  /** Every finished day not yet stored, for every area, oldest first. Returns how many days were computed. */
  async pass(now = Date.now()): Promise<number> {
    const { store, settings, log } = this.deps;
    const today = localDayStart(now, settings.utcOffsetMinutes);
    const earliest = today - settings.catchUpDays * DAY_MS;
    let computed = 0;
    for (const tx of await this.transformers()) {
      const latest = await store.latestDayStart(tx.id);
      for (let day = Math.max(earliest, latest === null ? earliest : latest + DAY_MS); day < today; day += DAY_MS) {
        await this.analyzeDay(tx.id, day);
        computed++;
      }
    }
    if (computed > 0) log.info({ days: computed }, 'line-loss days computed');
    return computed;
  }
}
