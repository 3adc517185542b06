/**
 * suspected_tamper's state as saved (issue 13: detector state ≤ 4 KB per device): the
 * fields as an array in a fixed order, its five condition trackers and the register's
 * hour buckets ([hour, registerKwh, powerKwh]) as tuples, and sums to a millionth (float
 * noise only). The object form saved before still reads.
 */
import { packCondition, unpackCondition, type PackedCondition } from '../../detector-kit/condition.js';
import { round } from '../../detector-kit/measures.js';
import { packFields, unpackFields, type AllFields } from '../../detector-kit/packed-fields.js';
import type { BlockAcc } from '../../detector-kit/baseline.js';
import type { RegisterState } from './register.js';
import type { TamperState } from './index.js';

type OwnState = Omit<TamperState, 'baseline'>;
const FIELD_LIST = [
  'loss',
  'lossPhase',
  'voltageLoss',
  'voltageLossPhase',
  'reversedPhase',
  'reversedPhaseName',
  'register',
  'registerActive',
  'drop',
  'reverse',
  'acc',
  'ratios',
  'voltageAvg',
  'lastDrop',
  'lastReverse',
  'open',
  'openedAt',
  'severity',
  'lastRaisedAt',
] as const;
const FIELDS: AllFields<TamperState, 'baseline', typeof FIELD_LIST> = FIELD_LIST;
const CONDITIONS = ['loss', 'voltageLoss', 'reversedPhase', 'drop', 'reverse'] as const;

type Bucket = RegisterState['buckets'][number];
type PackedBucket = [number, number, number];
/** Sums and averages are kept to a millionth when saved: beyond that only float noise. */
const DIGITS = 6;

const roundAcc = (acc: BlockAcc | null): BlockAcc | null =>
  acc && { ...acc, sum: round(acc.sum, DIGITS), vSum: round(acc.vSum, DIGITS) };

export const tamperSavedForm = {
  encode(st: TamperState): unknown {
    const out: Record<string, unknown> = { ...st };
    for (const field of CONDITIONS) out[field] = packCondition(st[field]);
    out['register'] = {
      ...st.register,
      buckets: st.register.buckets.map((b): PackedBucket => [
        b.hour,
        round(b.registerKwh, DIGITS),
        round(b.powerKwh, DIGITS),
      ]),
    };
    out['acc'] = roundAcc(st.acc);
    out['voltageAvg'] = st.voltageAvg === null ? null : round(st.voltageAvg, DIGITS);
    return packFields(out as unknown as OwnState, FIELDS);
  },
  decode(saved: unknown): TamperState {
    const st = unpackFields<OwnState>(saved, FIELDS) as TamperState;
    for (const field of CONDITIONS)
      st[field] = unpackCondition(st[field] as unknown as PackedCondition | TamperState[typeof field]);
    const buckets = st.register.buckets as unknown as Array<PackedBucket | Bucket>;
    st.register.buckets = buckets.map((b) =>
      Array.isArray(b) ? { hour: b[0], registerKwh: b[1], powerKwh: b[2] } : b,
    );
    return st;
  },
};
