/**
 * The built-in detectors. Adding one is adding its folder and one line here; no
 * detector knows about another.
 */
import type { AlertTypeMeta } from '@gridsafe/shared';
import type { AnyDetector } from '../detector-kit/detector.js';
import { meta as capacityViolationMeta } from './capacity_violation/meta.js';
import { meta as commLossMeta } from './comm_loss/meta.js';
import { meta as consumptionAnomalyMeta } from './consumption_anomaly/meta.js';
import { meta as ctSecondaryOverlimitMeta } from './ct_secondary_overlimit/meta.js';
import { meta as lowPowerFactorMeta } from './low_power_factor/meta.js';
import { meta as overTemperatureMeta } from './over_temperature/meta.js';
import { meta as overloadMeta } from './overload/meta.js';
import { meta as phaseUnbalanceMeta } from './phase_unbalance/meta.js';
import { meta as residualCurrentMeta } from './residual_current/meta.js';
import { meta as suspectedTamperMeta } from './suspected_tamper/meta.js';
import { meta as voltageDeviationMeta } from './voltage_deviation/meta.js';
import { capacityViolation } from './capacity_violation/index.js';
import { commLoss } from './comm_loss/index.js';
import { consumptionAnomaly } from './consumption_anomaly/index.js';
import { ctSecondaryOverlimit } from './ct_secondary_overlimit/index.js';
import { lowPowerFactor } from './low_power_factor/index.js';
import { overTemperature } from './over_temperature/index.js';
import { overload } from './overload/index.js';
import { phaseUnbalance } from './phase_unbalance/index.js';
import { residualCurrent } from './residual_current/index.js';
import { suspectedTamper } from './suspected_tamper/index.js';
import { voltageDeviation } from './voltage_deviation/index.js';

export const BUILTIN_DETECTORS: readonly AnyDetector[] = [
  overload,
  ctSecondaryOverlimit,
  capacityViolation,
  residualCurrent,
  overTemperature,
  voltageDeviation,
  phaseUnbalance,
  lowPowerFactor,
  consumptionAnomaly,
  suspectedTamper,
  commLoss,
];

/** How people read each built-in alert type (each detector's meta.ts), in the same order. */
export const BUILTIN_ALERT_TYPE_META: readonly AlertTypeMeta[] = [
  overloadMeta,
  ctSecondaryOverlimitMeta,
  capacityViolationMeta,
  residualCurrentMeta,
  overTemperatureMeta,
  voltageDeviationMeta,
  phaseUnbalanceMeta,
  lowPowerFactorMeta,
  consumptionAnomalyMeta,
  suspectedTamperMeta,
  commLossMeta,
];
