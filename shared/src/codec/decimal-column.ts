/**
 * Planning one value column of the compact encoding: most meter values are short
 * decimals (229.8 V, 12345.67 kWh), so a column is stored as integer mantissas with one
 * shared decimal exponent; any value that does not come back bit-for-bit that way
 * (17-digit doubles, huge or tiny magnitudes) is kept as a raw float64 "exception".
 */
import { MAX_DECIMAL_EXPONENT, MAX_MANTISSA, MIN_DECIMAL_EXPONENT, POW10, decimalValue } from './compact-format.js';

interface Decimal {
  /** Signed integer digits, without trailing zeros. */
  mantissa: number;
  exponent: number;
  digits: number;
}

/** The shortest decimal that round-trips to `value` (what JSON.stringify prints), or null. */
function shortestDecimal(value: number): Decimal | null {
  // toExponential() with no argument prints as many digits as needed to identify the
  // double uniquely: the same digits as JSON, so nothing is lost or invented.
  const text = value.toExponential();
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return null;
  const [, sign, lead, fraction = '', exp] = match;
  let digits = `${lead}${fraction}`;
  let exponent = Number(exp) - fraction.length;
  const trimmed = digits.replace(/0+$/, '');
  if (trimmed === '') return { mantissa: 0, exponent: 0, digits: 1 };
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  if (digits.length > 15) return null; // beyond 2^52 once scaled; keep as float64
  const mantissa = Number(digits) * (sign === '-' ? -1 : 1);
  return { mantissa, exponent, digits: digits.length };
}

export interface ColumnPlan {
  /** Shared decimal exponent, or null when no value is a usable decimal. */
  exponent: number | null;
  /** Mantissa of each cell at `exponent`, or null for an exception cell. */
  mantissas: (number | null)[];
}

function scaled(decimal: Decimal, exponent: number): number | null {
  const shift = decimal.exponent - exponent;
  if (shift < 0 || decimal.digits + shift > 15 || shift > MAX_DECIMAL_EXPONENT) return null;
  const mantissa = decimal.mantissa * (POW10[shift] as number);
  return Math.abs(mantissa) < MAX_MANTISSA ? mantissa : null;
}

/**
 * Chooses the exponent that turns the most cells into exact integers (ties: the larger
 * exponent, i.e. the smaller integers) and checks every cell by decoding it again.
 */
export function planDecimalColumn(values: readonly number[]): ColumnPlan {
  const decimals = values.map(shortestDecimal);
  const candidates = new Set<number>();
  for (const d of decimals) {
    if (d && d.exponent >= MIN_DECIMAL_EXPONENT && d.exponent <= MAX_DECIMAL_EXPONENT) candidates.add(d.exponent);
  }
  let best: number | null = null;
  let bestFits = 0;
  for (const exponent of [...candidates].sort((a, b) => b - a)) {
    let fits = 0;
    for (const d of decimals) if (d && scaled(d, exponent) !== null) fits += 1;
    if (fits > bestFits) {
      best = exponent;
      bestFits = fits;
    }
  }
  if (best === null) return { exponent: null, mantissas: values.map(() => null) };
  const exponent = best;
  const mantissas = decimals.map((d, i) => {
    const mantissa = d ? scaled(d, exponent) : null;
    // Belt and braces: a cell is decimal only if it decodes to the very same double
    // (=== also maps -0 to 0, exactly as JSON does).
    return mantissa !== null && decimalValue(mantissa, exponent) === values[i] ? mantissa : null;
  });
  return { exponent, mantissas };
}
