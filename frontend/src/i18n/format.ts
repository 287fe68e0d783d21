/**
 * Numbers as the current language writes them (`Intl`): "5,050" in English, "5 050" in French
 * (a narrow no-break space), "1.2 MB" and "1,2 Mo". Counts inside sentences are formatted by
 * the messages themselves (`count: number` in the catalogues); these are for numbers shown alone.
 */

import { getLocale } from "../paraglide/runtime.js";

/** A whole number or a measure, grouped by thousands. */
export function formatNumber(value: number, options: Intl.NumberFormatOptions = {}): string {
  return new Intl.NumberFormat(getLocale(), options).format(value);
}

/** A number with exactly ``digits`` decimals (similarities, typicality: "0.87", "0,87"). */
export function formatDecimal(value: number, digits: number): string {
  return formatNumber(value, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const BYTE_UNITS = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"] as const;

/** A size in bytes with the unit that keeps it readable: "830 kB", "1.2 MB"; "830 ko", "1,2 Mo". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return formatNumber(value, { style: "unit", unit: BYTE_UNITS[unit], maximumFractionDigits: unit === 0 ? 0 : 1 });
}
