/**
 * Each customer's own power-factor standard (FACTS.md "Power factor standards for the
 * tariff adjustment", 功率因数调整电费办法 1983): 0.90 for high-voltage industrial
 * customers of 160 kVA and above; 0.85 for other customers of 100 kVA and above (and
 * large agricultural ones); 0.80 for agricultural customers of 100 kVA and above.
 */
import type { Customer, Device } from '@gridsafe/shared';

export interface PfStandard {
  /** The power factor the customer is assessed against; null: not assessed. */
  value: number | null;
  /** Why this standard: the class it was found from, or where it was set. */
  basis: string;
}

export interface StandardSettings {
  /** Standard per customer id, set from the customer's contract (an agricultural customer: 0.80). */
  standards: Record<string, number>;
  /** High-voltage customers of `hvLargeKva` and above (FACTS.md: 160 kVA): 0.90. */
  hvLargeStandard: number;
  hvLargeKva: number;
  /** Other customers of `generalKva` and above (FACTS.md: 100 kVA): 0.85. */
  generalStandard: number;
  generalKva: number;
  /** Meters with no customer (a transformer's own metering): a utility's own target, not a tariff. */
  unassignedStandard: number;
}

/**
 * The standard for a meter: the customer's configured one; else its class found from the
 * registry: a meter behind a voltage transformer (ptRatio > 1) meters a high-voltage supply
 * (高供高计); the tariff rules do not assess customers under `generalKva`.
 */
export function standardFor(
  device: Device | undefined,
  customer: Customer | undefined,
  s: StandardSettings,
): PfStandard {
  if (!customer) return { value: s.unassignedStandard, basis: 'meter without a customer' };
  const configured = s.standards[customer.id];
  if (configured !== undefined) return { value: configured, basis: 'configured for the customer' };
  const highVoltage = (device?.ptRatio ?? 1) > 1;
  if (highVoltage && customer.contractKva >= s.hvLargeKva)
    return { value: s.hvLargeStandard, basis: `high-voltage customer of ${s.hvLargeKva} kVA and above` };
  if (customer.contractKva >= s.generalKva)
    return { value: s.generalStandard, basis: `customer of ${s.generalKva} kVA and above` };
  return { value: null, basis: `customer under ${s.generalKva} kVA: not assessed` };
}
