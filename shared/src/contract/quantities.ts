/**
 * Canonical quantities of the wire contract (CONTRACT.md, "Canonical quantities").
 * Every value on the wire is one of these, in the unit named, in primary units.
 */
export interface QuantityInfo {
  readonly unit: string;
  readonly meaning: string;
}

const phaseVoltage = (phase: string): QuantityInfo => ({ unit: 'V', meaning: `phase ${phase} to neutral voltage` });
const lineVoltage = (pair: string): QuantityInfo => ({ unit: 'V', meaning: `line-to-line voltage ${pair}` });
const phaseCurrent = (phase: string): QuantityInfo => ({ unit: 'A', meaning: `phase ${phase} current` });
const phasePower = (phase: string): QuantityInfo => ({
  unit: 'kW',
  meaning: `active power, phase ${phase} (import positive)`,
});
const temperature = (channel: number): QuantityInfo => ({
  unit: '°C',
  meaning: `temperature channel ${channel} of a monitoring terminal`,
});
const binary = (meaning: string): QuantityInfo => ({ unit: '1', meaning });
const other = (unit: string, meaning: string): QuantityInfo => ({ unit, meaning });

export const QUANTITIES = {
  v_a: phaseVoltage('A'),
  v_b: phaseVoltage('B'),
  v_c: phaseVoltage('C'),
  v_ab: lineVoltage('A-B'),
  v_bc: lineVoltage('B-C'),
  v_ca: lineVoltage('C-A'),
  i_a: phaseCurrent('A'),
  i_b: phaseCurrent('B'),
  i_c: phaseCurrent('C'),
  i_n: other('A', 'neutral current'),
  p_kw: other('kW', 'active power, total (import positive)'),
  p_a_kw: phasePower('A'),
  p_b_kw: phasePower('B'),
  p_c_kw: phasePower('C'),
  q_kvar: other('kvar', 'reactive power, total'),
  s_kva: other('kVA', 'apparent power, total'),
  pf: other('1', 'power factor, total (signed as the meter reports)'),
  f_hz: other('Hz', 'frequency'),
  e_imp_kwh: other('kWh', 'cumulative active energy, import'),
  e_exp_kwh: other('kWh', 'cumulative active energy, export'),
  demand_kw: other('kW', 'present demand as computed by the meter'),
  i_res_ma: other('mA', 'residual (leakage) current'),
  t1_c: temperature(1),
  t2_c: temperature(2),
  t3_c: temperature(3),
  t4_c: temperature(4),
  breaker: binary('breaker state, 1 = closed'),
  do_1: binary('digital output 1'),
  do_2: binary('digital output 2'),
  do_3: binary('digital output 3'),
  do_4: binary('digital output 4'),
  di_1: binary('digital input 1'),
  di_2: binary('digital input 2'),
  di_3: binary('digital input 3'),
  di_4: binary('digital input 4'),
} as const satisfies Record<string, QuantityInfo>;

export type Quantity = keyof typeof QUANTITIES;

export const QUANTITY_NAMES = Object.freeze(Object.keys(QUANTITIES) as Quantity[]);

export function isQuantity(name: string): name is Quantity {
  return Object.prototype.hasOwnProperty.call(QUANTITIES, name);
}
