/**
 * One alert per episode (CONTRACT.md "Alert and case types"; issue 11): when a rule
 * clears, its alert is paused, not resolved, and a return of the condition within the
 * type's quiet period continues the same alert as a new occurrence. The alert resolves
 * only once the quiet period has passed in event time with no return. A daily working
 * cycle or a weekend therefore gives one alert, one work order and one case.
 */
import { ConfigError, Type, type AlertType } from '@gridsafe/shared';

const DAY = 24 * 3600;

/**
 * Quiet period per alert type, seconds: how long a condition must stay away before its
 * episode is over. A week for capacity_violation (an unauthorised load that rests over a
 * weekend is still there on Monday); a day for conditions that follow a daily load or
 * supply cycle. comm_loss resolves as soon as the device reads again (0): that it is back is
 * what the operator wants to know, and its own allowance already absorbs short drop-outs.
 * 0: resolve as soon as the rule clears.
 */
export const DEFAULT_QUIET_SECONDS: Readonly<Record<AlertType, number>> = {
  overload: DAY,
  capacity_violation: 7 * DAY,
  ct_secondary_overlimit: DAY,
  residual_current: DAY,
  over_temperature: DAY,
  voltage_deviation: DAY,
  phase_unbalance: DAY,
  low_power_factor: DAY,
  consumption_anomaly: DAY,
  suspected_tamper: DAY,
  comm_loss: 0,
  overload_forecast: DAY,
  line_loss_abnormal: DAY,
};

/** The engine-level setting every detector accepts beside its own: `detectors.<name>.quietSeconds`. */
export const QUIET_SETTING = 'quietSeconds';

/** The same as a schema field, to check a config file's `detectors` section before anything starts. */
export const HOST_SETTINGS = {
  [QUIET_SETTING]: Type.Optional(
    Type.Number({
      minimum: 0,
      description: 'seconds a cleared condition must stay away to end its episode',
    }),
  ),
};

/**
 * Splits a detector's raw settings into the quiet period (validated here) and the rest,
 * which the detector reads itself.
 */
export function splitQuietSetting(
  detector: string,
  type: AlertType | undefined,
  raw: Record<string, unknown> | undefined,
): { quietSeconds: number; rest: Record<string, unknown> | undefined } {
  const fallback = type ? DEFAULT_QUIET_SECONDS[type] : 0;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || !(QUIET_SETTING in raw)) {
    return { quietSeconds: fallback, rest: raw };
  }
  const { [QUIET_SETTING]: value, ...rest } = raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(
      [`detectors.${detector}.${QUIET_SETTING}: must be a number of seconds, 0 or more (got ${JSON.stringify(value)})`],
      'detector settings are not valid',
    );
  }
  return { quietSeconds: value, rest };
}

/** An episode whose condition cleared: its alert resolves at `due` unless the condition returns first. */
export interface QuietEpisode {
  type: AlertType;
  subject: string;
  /** The gateway whose event time decides when the quiet period is over. */
  gateway: string;
  /** Event time the condition cleared (ms). */
  clearedAt: number;
  /** Event time the alert resolves if the condition has not returned (ms). */
  due: number;
}

export function episodeKey(type: AlertType, subject: string): string {
  return `${type}\u0000${subject}`;
}
