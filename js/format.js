// Unit-aware number formatting for cards and the detail panel.

export const MISSING = "\u2014"; // —
const MINUS = "\u2212"; // −

const SUFFIXES = ["", "k", "M", "B", "T"];

/**
 * @param {unknown} x
 * @returns {x is number}
 */
export function isNumber(x) {
  return typeof x === "number" && Number.isFinite(x);
}

/**
 * Round to `digits` decimals and drop trailing zeros ("1.50" -> "1.5", "2.0" -> "2").
 * @param {number} x non-negative
 * @param {number} digits
 */
function trimmed(x, digits) {
  const text = x.toFixed(digits);
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/**
 * Thousands separators: 4700 -> "4,700".
 * @param {number} x non-negative
 * @param {number} maxDigits
 * @param {number} [minDigits]
 */
function grouped(x, maxDigits, minDigits = 0) {
  return x.toLocaleString("en-US", {
    minimumFractionDigits: minDigits,
    maximumFractionDigits: maxDigits,
  });
}

/**
 * Dollars: cents below $10,000 when not whole, compact above.
 * @param {number} x non-negative
 */
function dollars(x) {
  if (x >= 10000) return "$" + compact(x, 0, 0);
  return "$" + (Number.isInteger(x) ? grouped(x, 0) : grouped(x, 2, 2));
}

/**
 * Compact magnitude: 564000 -> "564k", 1234567 -> "1.2M", 56400 -> "56.4k".
 * Below `groupBelow` the number is written in full with thousands separators.
 * @param {number} x non-negative
 * @param {number} groupBelow
 * @param {number} smallDigits decimals kept below `groupBelow`
 */
function compact(x, groupBelow, smallDigits) {
  if (x < groupBelow) return grouped(x, smallDigits);
  let tier = Math.min(Math.floor(Math.log10(x) / 3), SUFFIXES.length - 1);
  let scaled = x / 10 ** (3 * tier);
  let text = trimmed(scaled, scaled < 100 ? 1 : 0);
  if (Number(text) >= 1000 && tier < SUFFIXES.length - 1) {
    tier += 1;
    scaled = x / 10 ** (3 * tier);
    text = trimmed(scaled, 1);
  }
  return text + SUFFIXES[tier];
}

/**
 * Format a non-negative magnitude for a unit (the sign is added by the callers).
 * @param {number} x non-negative
 * @param {string | null | undefined} unit
 */
function magnitude(x, unit) {
  switch (unit) {
    case "currency":
      return dollars(x);
    case "percent":
      return trimmed(x * 100, x * 100 < 1 ? 2 : 1) + "%";
    case "count":
      return compact(x, 10000, 1);
    case "days":
      return trimmed(x, 1) + " d";
    case "ratio":
      return trimmed(x, x < 1 ? 2 : 1) + "x";
    case null:
    case undefined:
    case "":
    case "number":
      return compact(x, 10000, 2);
    default:
      return compact(x, 10000, 2) + " " + unit;
  }
}

/**
 * A metric's value or target for display: `formatValue(564000, "currency")` -> "$564k".
 * Percent values are fractions (0.025 -> "2.5%"). Missing or non-finite -> "—".
 * @param {number | null | undefined} x
 * @param {string | null | undefined} unit
 */
export function formatValue(x, unit) {
  if (!isNumber(x)) return MISSING;
  const text = magnitude(Math.abs(x), unit);
  return x < 0 && /[1-9]/.test(text) ? MINUS + text : text;
}

/** Units whose numbers carry their own mark ($, %, d, x) or none. */
const MARKED_UNITS = new Set(["currency", "percent", "count", "days", "ratio", "number"]);

/**
 * A number for a card's narrow cell: as `formatValue`, but a free-text unit ("14.2 sessions")
 * is left to the card's unit badge ("14.2"), so the number fits.
 * @param {number | null | undefined} x
 * @param {string | null | undefined} unit
 */
export function formatCardValue(x, unit) {
  return formatValue(x, unit && !MARKED_UNITS.has(unit) ? null : unit);
}

/**
 * A variance (value - target, in the metric's unit) with an explicit sign.
 * Percent metrics are shown in percentage points: -0.005 -> "−0.5 pp".
 * @param {number | null | undefined} x
 * @param {string | null | undefined} unit
 */
export function formatVariance(x, unit) {
  if (!isNumber(x)) return MISSING;
  const text =
    unit === "percent" ? trimmed(Math.abs(x) * 100, 1) + " pp" : magnitude(Math.abs(x), unit);
  return withSign(x, text);
}

/**
 * A relative variance already in percent units, short enough for a card:
 * -4.25 -> "−4.3%", -17.2 -> "−17%".
 * @param {number | null | undefined} pct
 */
export function formatVariancePct(pct) {
  if (!isNumber(pct)) return MISSING;
  return withSign(pct, trimmed(Math.abs(pct), Math.abs(pct) < 10 ? 1 : 0) + "%");
}

/**
 * Prefix "+" or "−" unless the rounded text is zero.
 * @param {number} x
 * @param {string} text magnitude text
 */
function withSign(x, text) {
  if (!/[1-9]/.test(text)) return text;
  return (x < 0 ? MINUS : "+") + text;
}

/**
 * The raw number as an attribute value (`data-raw`): empty when missing.
 * @param {number | null | undefined} x
 */
export function rawAttr(x) {
  return isNumber(x) ? String(x) : "";
}
