/**
 * Register words → canonical quantities in primary units. The profile's scale gives the
 * secondary-side engineering value; its `primary` field says which ratio (CT, PT or both)
 * turns that into the primary-side value the contract carries. The plausibility range
 * applies before the ratios (it describes the device), and a value outside it marks the
 * reading `suspect` rather than being dropped: the cloud decides what to do with doubt.
 */
import type { Quantity, RegisterDefinition } from '@gridsafe/shared';
import { decodeRegisters, registerCount } from '@gridsafe/shared/profiles/register-codec.js';
import type { PlannedRequest } from '../modbus/planner.js';

export interface Ratios {
  ctRatio: number;
  ptRatio: number;
}

export function ratioFor(register: Pick<RegisterDefinition, 'primary'>, ratios: Ratios): number {
  switch (register.primary) {
    case 'none':
      return 1;
    case 'ct':
      return ratios.ctRatio;
    case 'pt':
      return ratios.ptRatio;
    case 'ctpt':
      return ratios.ctRatio * ratios.ptRatio;
  }
}

/** float32 carries about 7 significant digits; printing more only adds binary noise to the JSON. */
const tidy = (value: number, digits: number) => (value === 0 ? 0 : Number(value.toPrecision(digits)));

export interface DecodedValue {
  quantity: Quantity;
  value: number;
  suspect: boolean;
}

/**
 * Decodes every value of one request's reply. Values that are not finite (a float32 NaN
 * from a device with no reading) are left out, as the contract asks.
 */
export function decodeReply(
  request: PlannedRequest,
  words: ArrayLike<number>,
  ratios: Ratios,
  out: DecodedValue[],
): void {
  for (const { register, offset } of request.values) {
    const slice = Array.prototype.slice.call(words, offset, offset + registerCount(register.type)) as number[];
    let raw = decodeRegisters(slice, register.type, register.byteOrder);
    if (!Number.isFinite(raw)) continue;
    if (register.type === 'float32') raw = tidy(raw, 7);
    const engineering = tidy(raw * register.scale, 12);
    const [low, high] = register.validRange;
    const suspect = engineering < low || engineering > high;
    out.push({ quantity: register.quantity, value: tidy(engineering * ratioFor(register, ratios), 12), suspect });
  }
}
