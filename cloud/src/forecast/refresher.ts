/**
 * The forecast refresh: every transformer's load and every customer's demand forecast from
 * the stored series (the model chosen by the backtest once per local day and subject, the
 * forecasts themselves every refresh), stored; each transformer's forecast run through the
 * thermal model, raising, updating or clearing `overload_forecast`.
 */
import type { Customer, Logger, Transformer } from '@gridsafe/shared';
import type { RegistryView } from '../detector-kit/types.js';
import type { SeriesStore } from '../storage/series/types.js';
import type { SqlAlertStore } from '../storage/relational/alert-store.js';
import type { OverloadSettings } from '../detectors/overload/settings.js';
import { calendarOf, type WorkCalendar } from './calendar.js';
import { forecastView, selectModel, type Forecast, type Selection } from './forecaster.js';
import { HOUR_MS, SeriesView, type HourlySeries } from './models.js';
import { customerDemand, transformerFineLoad, transformerLoad } from './load-series.js';
import type { ForecastStore } from './forecast-store.js';
import { prewarn, warns } from './prewarn.js';
import {
  FINE_STEP_MS,
  NO_MARGIN,
  subHourlyMargin,
  withinHourPatterns,
  type SubHourlyMargin,
  type WithinHourPatterns,
} from './sub-hourly.js';
import { thermalParams } from '../detectors/overload/index.js';
import { profileAmbientC, siteProfile } from '../detectors/overload/ambient.js';
import type { ForecastSettings } from './settings.js';

/** The registry as the refresh needs it: detection's view, and the lists of transformers and customers. */
export interface ForecastRegistry extends RegistryView {
  listTransformers(limit: number, offset: number): Promise<{ items: Transformer[]; total: number }>;
  listCustomers(limit: number, offset: number): Promise<{ items: Customer[]; total: number }>;
}

export interface RefresherDeps {
  series: SeriesStore;
  registry: ForecastRegistry;
  alerts: SqlAlertStore;
  store: ForecastStore;
  settings: ForecastSettings;
  overload: OverloadSettings;
  log: Logger;
}

async function all<T>(list: (limit: number, offset: number) => Promise<{ items: T[]; total: number }>): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await list(1000, offset);
    out.push(...page.items);
    if (out.length >= page.total || page.items.length === 0) return out;
  }
}

/** Hours with data needed before a subject is forecast: the backtest's days and two weeks before them. */
const knownHours = (s: ForecastSettings) => (s.backtestDays + 14) * 24;

export class ForecastRefresher {
  private readonly calendar: WorkCalendar;
  /** The backtest's choice per subject, made once per local day. */
  private readonly selections = new Map<string, { day: number; selection: Selection }>();
  /** Each transformer's sub-hourly margin and within-hour patterns, measured once per local day. */
  private readonly subHourly = new Map<
    string,
    { day: number; margin: SubHourlyMargin; patterns: WithinHourPatterns }
  >();

  constructor(private readonly deps: RefresherDeps) {
    const s = deps.settings;
    this.calendar = calendarOf(s.holidays, s.workdays, s.utcOffsetMinutes);
  }

  /** Forecast of one series from `origin` with the day's selection, or null when there is not enough history. */
  private forecast(
    key: string,
    series: HourlySeries,
    origin: number,
  ): { forecast: Forecast; selection: Selection } | null {
    const s = this.deps.settings;
    if (series.values.filter((v) => v !== null).length < knownHours(s)) return null;
    const view = new SeriesView(series, this.calendar);
    const day = this.localDay(origin);
    let chosen = this.selections.get(key);
    if (!chosen || chosen.day !== day) {
      chosen = { day, selection: selectModel(view, view.index(origin), s) };
      this.selections.set(key, chosen);
    }
    return {
      forecast: forecastView(view, origin, s.horizonHours, s, chosen.selection),
      selection: chosen.selection,
    };
  }

  private localDay(ts: number): number {
    return Math.floor((ts + this.deps.settings.utcOffsetMinutes * 60_000) / 86_400_000);
  }

  /**
   * How much hotter the transformer's winding runs than its hourly means say, and its
   * within-hour patterns, from the backtest days' load at the meters' resolution.
   */
  private async subHourlyOf(
    tx: Transformer,
    origin: number,
  ): Promise<{ margin: SubHourlyMargin; patterns: WithinHourPatterns }> {
    const { series, registry, settings: s, overload } = this.deps;
    const day = this.localDay(origin);
    const known = this.subHourly.get(tx.id);
    if (known?.day === day) return known;
    // One day more than the backtest: the first settles the model from its steady start.
    const from = origin - (s.backtestDays + 1) * 86_400_000;
    const fine = await transformerFineLoad(series, registry, tx.id, from, origin);
    const { profile } = siteProfile(overload.ambientProfiles, tx.site);
    const ambientAt = (ts: number) => profileAmbientC(profile, ts, overload.utcOffsetMinutes);
    const margin = subHourlyMargin(
      fine,
      tx.ratedKva,
      ambientAt,
      overload.utcOffsetMinutes,
      thermalParams(overload),
      s.prewarnQuantile,
    );
    const patterns = withinHourPatterns(fine, overload.utcOffsetMinutes, s.backtestDays);
    this.subHourly.set(tx.id, { day, margin, patterns });
    return { margin, patterns };
  }

  async refreshTransformer(tx: Transformer, now: number): Promise<Forecast | null> {
    const { series, registry, store, settings: s } = this.deps;
    const origin = Math.floor(now / HOUR_MS) * HOUR_MS;
    const history = await transformerLoad(
      series,
      registry,
      tx.id,
      origin - s.historyDays * 86_400_000,
      origin,
      s.ambientQuantity,
    );
    const made = this.forecast(`transformer/${tx.id}`, history, origin);
    if (!made) return null;
    const { forecast, selection } = made;
    await store.put('transformer', tx.id, forecast, now);
    // The thermal state the last day left, at the meters' resolution (its hourly means where none is stored).
    const lastDay = await transformerFineLoad(series, registry, tx.id, origin - 86_400_000, origin);
    const recent: Array<[number, number]> = [];
    lastDay.values.forEach((v, i) => {
      if (v !== null) recent.push([lastDay.start + i * FINE_STEP_MS, v]);
    });
    if (recent.length === 0)
      history.values.slice(-24).forEach((v, i, last) => {
        if (v !== null) recent.push([origin - (last.length - i) * HOUR_MS, v]);
      });
    await this.judge(tx, forecast, selection.upperRatios, await this.subHourlyOf(tx, origin), recent, now);
    return forecast;
  }

  /** Raises, updates or clears the transformer's overload_forecast from its new forecast. */
  private async judge(
    tx: Transformer,
    forecast: Forecast,
    upperRatios: number[],
    { margin, patterns }: { margin: SubHourlyMargin; patterns: WithinHourPatterns },
    recent: Array<[number, number]>,
    now: number,
  ): Promise<void> {
    const { alerts, settings: s, overload } = this.deps;
    const result = prewarn(
      {
        recent,
        points: forecast.points,
        ratedKva: tx.ratedKva,
        site: tx.site,
        upperRatios,
        upperShare: s.prewarnUpperShare,
        // Measured and reported, not applied (README: it cost precision in eval:forecast without a recall gain).
        margin: NO_MARGIN,
        patterns,
        horizonMinutes: s.prewarnHorizonMinutes,
      },
      overload,
    );
    const active = await alerts.list(
      { type: 'overload_forecast', subject: tx.id, state: ['open', 'acknowledged'] },
      1,
      0,
    );
    const open = active.total > 0;
    if (!result || result.predictedAt === null || !warns(result, open, s.prewarnProbability)) {
      await alerts.clear('overload_forecast', tx.id, now, {
        origin: forecast.origin,
        model: forecast.model,
        hottest: result,
      });
      return;
    }
    const overloads = await alerts.list({ type: 'overload', subject: tx.id }, 1, 0);
    const overloadAlert = overloads.items.find((a) => a.state !== 'resolved' || (a.resolvedAt ?? 0) >= forecast.origin);
    const horizonEnd = forecast.origin + s.prewarnHorizonMinutes * 60_000;
    await alerts.raise({
      type: 'overload_forecast',
      subject: tx.id,
      subjectKind: 'transformer',
      severity: 'warning',
      ts: now,
      evidence: {
        predictedAt: result.predictedAt,
        leadMinutes: Math.max(0, Math.round((result.predictedAt - now) / 60_000)),
        // Share of the transformer's own within-hour patterns on which the forecast reaches the limit.
        probability: Math.round(result.probability * 100) / 100,
        patterns: result.patterns,
        hotSpotC: result.hotSpotC,
        topOilC: result.topOilC,
        limits: result.limits,
        // How much hotter this transformer's winding runs than its hourly means say (sub-hourly.ts).
        subHourlyMarginC: { hotSpotC: margin.hotSpotC, topOilC: margin.topOilC },
        // If the load runs high (the prewarnQuantile upper curve): by when the limit may be reached.
        prewarnQuantile: s.prewarnQuantile,
        upperPredictedAt: result.upper.predictedAt,
        loadingMode: overload.loadingMode,
        ambient: result.ambientSource,
        ratedKva: tx.ratedKva,
        model: forecast.model,
        origin: forecast.origin,
        intervalLevel: forecast.intervalLevel,
        forecast: forecast.points
          .filter((p) => p.ts < horizonEnd)
          .map((p) => [p.ts, round(p.value), round(p.low), round(p.high)]),
        overloadAlert: overloadAlert?.id ?? null,
      },
    });
  }

  async refreshCustomer(c: Customer, now: number): Promise<Forecast | null> {
    const { series, registry, store, settings: s } = this.deps;
    const origin = Math.floor(now / HOUR_MS) * HOUR_MS;
    const history = await customerDemand(series, registry, c.id, origin - s.historyDays * 86_400_000, origin);
    const made = this.forecast(`customer/${c.id}`, history, origin);
    if (made) await store.put('customer', c.id, made.forecast, now);
    return made?.forecast ?? null;
  }

  /** One refresh of everything; returns how many forecasts were made. */
  async pass(now = Date.now()): Promise<number> {
    const { registry, log } = this.deps;
    let made = 0;
    for (const tx of await all((l, o) => registry.listTransformers(l, o)))
      if (await this.refreshTransformer(tx, now)) made++;
    for (const c of await all((l, o) => registry.listCustomers(l, o))) if (await this.refreshCustomer(c, now)) made++;
    log.info({ forecasts: made }, 'forecasts refreshed');
    return made;
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
