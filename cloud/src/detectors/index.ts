/**
 * The built-in detectors. Adding one is adding its folder and one line here; no
 * detector knows about another.
 */
import type { AnyDetector } from '../detector-kit/detector.js';
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
