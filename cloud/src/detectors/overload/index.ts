/**
 * overload: a transformer's apparent load against its rated kVA, through the
 * IEC 60076-7 thermal model. See README.md beside this file.
 */
import type { Severity } from '@gridsafe/shared';
import type { Detector, DetectorOutput, ReadingInput, SubjectRef } from '../../detector-kit/detector.js';
import { initialCondition, isOpen, stepCondition, type ConditionState } from '../../detector-kit/condition.js';
import { apparentKva, round, transformerMeters } from '../../detector-kit/measures.js';
import { LOADING_MODES, OVERLOAD_SETTINGS, type OverloadSettings } from './settings.js';
import { profileAmbientC, siteProfile, type AmbientSource } from './ambient.js';
import {
  advance,
  ageingRate,
  hotSpotC,
  minutesToLimit,
  steadyState,
  type ThermalParams,
  type ThermalState,
} from './thermal.js';

export interface OverloadState {
  /** Latest apparent power of each meter on the transformer. */
  meters: Record<string, { ts: number; kva: number }>;
  /** Latest ambient from a sensor, if one is configured and reporting. */
  ambient: { ts: number; c: number } | null;
  thermal: ThermalState | null;
  cond: ConditionState;
  /** Ageing accumulated since the present episode began (hours), for evidence. */
  episodeAgeingStart: number | null;
}

/** The thermal model's constants from the settings (the forecast pre-warning uses the same). */
export function thermalParams(s: OverloadSettings): ThermalParams {
  return {
    x: s.x,
    y: s.y,
    k11: s.k11,
    k21: s.k21,
    k22: s.k22,
    tauOMin: s.tauOMin,
    tauWMin: s.tauWMin,
    r: s.r,
    dThetaOr: s.dThetaOr,
    dThetaHr: s.dThetaHr,
    paper: s.paper as ThermalParams['paper'],
  };
}

/** Limits of the configured IEC 60076-7 loading mode. */
export function limitsOf(s: OverloadSettings) {
  return LOADING_MODES[s.loadingMode as keyof typeof LOADING_MODES];
}

export const overload: Detector<OverloadSettings, OverloadState> = {
  name: 'overload',
  stateVersion: 1,
  settings: OVERLOAD_SETTINGS,

  subjectsOfReading(input: ReadingInput): SubjectRef[] {
    const tx = input.device?.transformer;
    return tx ? [{ subject: tx, kind: 'transformer' }] : [];
  },

  initialState(): OverloadState {
    return { meters: {}, ambient: null, thermal: null, cond: initialCondition(), episodeAgeingStart: null };
  },

  onReading(st, input, ref, ctx): DetectorOutput[] {
    const s = ctx.settings;
    const { reading } = input;
    const ts = reading.ts;
    if (s.ambientQuantity !== '') {
      const amb = (reading.values as Record<string, number | undefined>)[s.ambientQuantity];
      if (amb !== undefined) st.ambient = { ts, c: amb };
    }
    const kva = apparentKva(reading.values);
    if (kva === undefined) return [];
    // The transformer's own meters when it has them; customer meters otherwise (never both).
    if (!transformerMeters(ctx.registry, ref.subject).some((m) => m.id === reading.device)) return [];
    const prev = st.meters[reading.device];
    if (prev && ts < prev.ts) return []; // a stray older reading must not replace a newer one
    st.meters[reading.device] = { ts, kva };

    const tx = ctx.registry.transformer(ref.subject);
    if (!tx || !(tx.ratedKva > 0)) return [];
    const staleMs = s.meterStaleSeconds * 1000;
    let loadKva = 0;
    const counted: Record<string, number> = {};
    for (const [id, m] of Object.entries(st.meters)) {
      if (ts - m.ts > staleMs) {
        if (ts - m.ts > 10 * staleMs) delete st.meters[id]; // forget meters long gone
        continue;
      }
      loadKva += m.kva;
      counted[id] = round(m.kva);
    }
    const k = loadKva / tx.ratedKva;
    const params = thermalParams(s);
    // Ambient: the sensor while it reports; otherwise the site's profile for this hour, never a fixed figure.
    const { profile, source: profileSource } = siteProfile(s.ambientProfiles, tx.site);
    const sensorFresh = st.ambient !== null && ts - st.ambient.ts <= staleMs;
    const ambientC = sensorFresh ? st.ambient!.c : profileAmbientC(profile, ts, s.utcOffsetMinutes);
    const ambientSource: AmbientSource = sensorFresh ? `sensor:${s.ambientQuantity}` : profileSource;

    // Thermal model: start (and restart after a long gap, whose load we do not know) from the
    // steady state of the present load, capped at the rating: assuming a long past overload
    // we never saw would raise a critical hot-spot on the first reading.
    if (!st.thermal || ts - st.thermal.ts > s.maxGapSeconds * 1000) {
      st.thermal = steadyState(ts, Math.min(k, 1), ambientC, params);
      st.thermal.k = k;
    } else {
      advance(st.thermal, ts, params);
      st.thermal.k = k;
      st.thermal.ambientC = ambientC;
    }
    const th = st.thermal;
    const hot = hotSpotC(th);
    const lim = limitsOf(s);
    const atLimit = hot >= lim.hotSpotC || th.topOilC >= lim.topOilC || k >= lim.currentPu;
    const aboveRating = k > s.raiseAtPu;
    const cleared =
      k <= s.clearAtPu && hot < lim.hotSpotC - s.clearMarginK && th.topOilC < lim.topOilC - s.clearMarginK;

    // Tiers (IEC 60076-7 loading, issue 11): critical at a limit of the loading mode; warning
    // when the forecast reaches one within the horizon; above the rating but thermally within
    // the mode's limits, info (or nothing). The forecast costs a short simulation: only above
    // the rating, or while an alert is open.
    let severity: Severity | null = atLimit ? 'critical' : null;
    let forecast: number | null | undefined;
    if (!atLimit && (aboveRating || isOpen(st.cond))) {
      forecast = minutesToLimit(th, lim, params, s.warningHorizonMinutes, {
        ambientC: sensorFresh ? undefined : (m) => profileAmbientC(profile, ts + m * 60_000, s.utcOffsetMinutes),
      });
      if (forecast !== null) severity = 'warning';
    }
    if (severity === null && aboveRating && s.aboveRating === 'info') severity = 'info';
    const active = severity !== null;

    const decision = stepCondition(
      st.cond,
      { ts, active, cleared, severity: severity ?? 'info' },
      {
        raiseAfterMs: s.holdSeconds * 1000,
        clearAfterMs: s.clearSeconds * 1000,
        refreshMs: s.refreshSeconds * 1000,
        maxGapMs: s.maxGapSeconds * 1000,
      },
    );
    if (decision.action === 'none') return [];
    if (decision.action === 'raise' && decision.opened) st.episodeAgeingStart = th.ageingHours;
    const evidence: Record<string, unknown> = {
      loadKva: round(loadKva),
      ratedKva: tx.ratedKva,
      pu: round(k, 3),
      since: decision.since,
      hotSpotC: round(hot, 1),
      topOilC: round(th.topOilC, 1),
      ambientC: round(ambientC, 1),
      ambientSource,
      ageingRate: round(ageingRate(hot, params.paper), 3),
      episodeAgeingHours: round(th.ageingHours - (st.episodeAgeingStart ?? th.ageingHours), 3),
      loadingMode: s.loadingMode,
      limits: { hotSpotC: lim.hotSpotC, topOilC: lim.topOilC, currentPu: lim.currentPu },
      meters: counted,
    };
    if (decision.action === 'clear') {
      st.episodeAgeingStart = null;
      return [{ kind: 'clear', type: 'overload', subject: ref.subject, ts, evidence }];
    }
    if (forecast === undefined) forecast = atLimit ? 0 : minutesToLimit(th, lim, params, s.warningHorizonMinutes);
    evidence['minutesToLimit'] = forecast;
    evidence['warningHorizonMinutes'] = s.warningHorizonMinutes;
    return [
      {
        kind: 'raise',
        signal: {
          type: 'overload',
          subject: ref.subject,
          subjectKind: 'transformer',
          severity: decision.severity,
          ts,
          evidence,
        },
      },
    ];
  },
};
