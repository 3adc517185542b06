/** over_temperature: a temperature channel of a monitoring terminal above its alarm setting. See README.md. */
import type { Detector } from '../../detector-kit/detector.js';
import { initialCondition, type ConditionState } from '../../detector-kit/condition.js';
import { round } from '../../detector-kit/measures.js';
import { Type } from '@gridsafe/shared';
import { defineSettings, SettingsError, type SettingsOf } from '../../detector-kit/settings.js';
import { thresholdStep, timingOf, timingSchema } from '../../detector-kit/threshold.js';

const CHANNELS = ['t1_c', 't2_c', 't3_c', 't4_c'] as const;
type Channel = (typeof CHANNELS)[number];

const SETTINGS = defineSettings(
  {
    /**
     * Alarm setting, °C. FACTS.md: GB 14287.3 gives a setting range of 55–140 °C
     * (unconfirmed); 70 °C is the usual cable-joint/busbar alarm inside that range.
     */
    alarmC: Type.Number({ default: 70, minimum: 55, maximum: 140 }),
    /** At or above this the alert is critical (within the GB 14287.3 range). */
    criticalC: Type.Number({ default: 90, minimum: 55, maximum: 140 }),
    /** Hysteresis: resolves once every channel is this many kelvin below the alarm setting. */
    clearMarginK: Type.Number({ default: 5, minimum: 0 }),
    /** Channels to watch, comma-separated; leave out one that measures ambient. */
    channels: Type.String({ default: CHANNELS.join(',') }),
    /** FACTS.md: GB 31252-2014, alarm within 30 s: the first reading above the setting raises. */
    ...timingSchema(0, 300),
  },
  (s) => {
    const watched = s.channels
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '');
    for (const c of watched) {
      if (!(CHANNELS as readonly string[]).includes(c))
        throw new SettingsError('channels', `"${c}" is not a temperature channel (use ${CHANNELS.join(', ')})`);
    }
    if (s.criticalC < s.alarmC)
      throw new SettingsError('criticalC', `${s.criticalC} must not be below alarmC (${s.alarmC})`);
    return { ...s, watched: watched as Channel[] };
  },
);
export type TemperatureSettings = SettingsOf<typeof SETTINGS>;

export const overTemperature: Detector<TemperatureSettings, { cond: ConditionState }> = {
  name: 'over_temperature',
  stateVersion: 1,
  settings: SETTINGS,
  subjectsOfReading(input, ctx) {
    return ctx.settings.watched.some((c) => input.reading.values[c] !== undefined)
      ? [{ subject: input.reading.device, kind: 'device' }]
      : [];
  },
  initialState: () => ({ cond: initialCondition() }),
  onReading(st, input, ref, ctx) {
    const s = ctx.settings;
    let hottest: Channel | undefined;
    let max = Number.NEGATIVE_INFINITY;
    for (const c of s.watched) {
      const v = input.reading.values[c];
      if (v !== undefined && v > max) {
        max = v;
        hottest = c;
      }
    }
    return thresholdStep(
      st.cond,
      input.reading.ts,
      max,
      {
        type: 'over_temperature',
        subject: ref.subject,
        subjectKind: 'device',
        direction: 'above',
        raiseAt: s.alarmC,
        clearAt: s.alarmC - s.clearMarginK,
        criticalAt: s.criticalC,
        timing: timingOf(s),
      },
      (since) => ({
        temperatureC: round(max, 1),
        channel: hottest,
        alarmC: s.alarmC,
        criticalC: s.criticalC,
        since,
        transformer: input.device?.transformer ?? null,
      }),
    );
  },
};
