// Unit-aware number formatting for cards and the detail panel: the same text, character for
// character, as Python's `kpitree_widget.numbers.format_number` (its docstring has the rules;
// both are tested over tests/format_vectors.json).
//
// formatNumber(564000, "currency") -> "$564k"; formatNumber(0.0196, "percent") -> "1.96%";
// formatNumber(-0.005, "percent", "signed") -> "−0.5 pp"; formatChange(-4.25) -> "−4.3%".

export const MISSING = "\u2014"; // —
export const MINUS = "\u2212"; // −
export const INFINITY = "\u221e"; // ∞

/** @typedef {"compact" | "card" | "full" | "signed"} Style */

/** @type {readonly Style[]} */
export const STYLES = ["compact", "card", "full", "signed"];

/** Units written as a bare number. */
const PLAIN_UNITS = new Set(["", "number", "count"]);
/** @type {Record<string, string>} */
const SUFFIX_UNITS = { percent: "%", days: " d", ratio: "x" };
/** @type {readonly [number, string][]} */
const TIERS = [
  [1e3, "k"],
  [1e6, "M"],
  [1e9, "B"],
  [1e12, "T"],
];
const FULL_LIMIT = 1e15; // from here every style writes 1.5e15

/**
 * @param {unknown} x
 * @returns {x is number}
 */
export function isNumber(x) {
  return typeof x === "number" && Number.isFinite(x);
}

/**
 * Thousands separators in a plain decimal text: "1234567.5" -> "1,234,567.5".
 * @param {string} text
 */
function group(text) {
  const [whole, decimals] = text.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ",");
  return decimals === undefined ? grouped : `${grouped}.${decimals}`;
}

/**
 * `x` (>= 0, below 1e21) rounded half up on its exact value to `decimals` places, grouped;
 * trailing zeros stay ("0.50"). `toFixed` rounds exactly so, as Python's Decimal does.
 * @param {number} x
 * @param {number} decimals
 */
function rounded(x, decimals) {
  return group(x.toFixed(decimals));
}

/** @param {string} text "1.50" -> "1.5", "2.00" -> "2" */
function trim(text) {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/**
 * The decimal exponent of `x` (> 0) once rounded to `digits` significant digits.
 * @param {number} x
 * @param {number} digits
 */
function exponent(x, digits) {
  return Number(x.toExponential(digits - 1).split("e")[1]);
}

/**
 * "1.5e15": `digits` significant digits, for numbers too large for a suffix.
 * @param {number} x
 * @param {number} digits
 */
function scientific(x, digits) {
  const [mantissa, e] = x.toExponential(digits - 1).split("e");
  return `${trim(mantissa)}e${Number(e)}`;
}

/** @param {string} text */
function valueOf(text) {
  return Number(text.replaceAll(",", ""));
}

/**
 * `x` (>= 0) with `digits` significant digits (at most `mostDecimals` decimals), all
 * whole-number digits below 10,000, a suffix above: 1234.5 -> "1,235", 56400 -> "56.4k".
 * @param {number} x
 * @param {number} [digits]
 * @param {number} [mostDecimals]
 */
function short(x, digits = 3, mostDecimals = 4) {
  if (x < 10000) {
    const decimals =
      x === 0 ? 0 : Math.min(mostDecimals, Math.max(0, digits - 1 - exponent(x, digits)));
    const text = trim(rounded(x, decimals));
    if (valueOf(text) < 10000) return text;
  }
  let tier = 0;
  while (tier + 1 < TIERS.length && x >= TIERS[tier + 1][0]) tier += 1;
  for (; tier < TIERS.length && x < FULL_LIMIT; tier += 1) {
    const [limit, suffix] = TIERS[tier];
    const scaled = x / limit;
    const text = trim(rounded(scaled, Math.max(0, digits - 1 - exponent(scaled, digits))));
    if (valueOf(text) < 1000) return text + suffix;
    // else it rounds up into the next suffix
  }
  return scientific(x, digits);
}

/**
 * Every whole-number digit of `x` (>= 0), up to `decimals` decimals.
 * @param {number} x
 * @param {number} decimals
 */
function full(x, decimals) {
  return x < FULL_LIMIT ? trim(rounded(x, decimals)) : scientific(x, 3);
}

/**
 * "$47.25", "$120", "$4,700", "$56.4k"; in full style "$1,234,567.89".
 * @param {number} x non-negative
 * @param {Style} style
 */
function dollars(x, style) {
  if (style === "full" && x >= FULL_LIMIT) return "$" + scientific(x, 3);
  if (style === "full" || x < 1000) {
    const cents = rounded(x, 2);
    const whole = cents.endsWith(".00") ? cents.slice(0, -3) : cents;
    if (style === "full" || valueOf(cents) < 1000) return "$" + whole;
  }
  if (x < 10000) {
    const whole = rounded(x, 0);
    if (valueOf(whole) < 10000) return "$" + whole;
  }
  return "$" + short(x);
}

/**
 * The number part and the unit part of `x` (>= 0, finite) in `style`.
 * @param {number} x
 * @param {string | null | undefined} unit
 * @param {Style} style
 * @returns {[string, string]}
 */
function magnitude(x, unit, style) {
  const isFull = style === "full";
  if (unit === "currency") return [dollars(x, style), ""];
  if (unit === "percent") {
    const pct = x * 100;
    const mark = style === "signed" ? " pp" : "%";
    if (!Number.isFinite(pct)) return [INFINITY, mark];
    return [isFull ? full(pct, 2) : short(pct, 3, 2), mark];
  }
  const text = isFull ? full(x, 4) : short(x);
  if (unit === null || unit === undefined || PLAIN_UNITS.has(unit)) return [text, ""];
  if (unit in SUFFIX_UNITS) return [text, SUFFIX_UNITS[unit]];
  return [text, style === "card" ? "" : ` ${unit}`];
}

/**
 * Prefix "−" (or "+" when `signed`) unless the rounded text is zero.
 * @param {boolean} negative
 * @param {string} text
 * @param {boolean} signed
 */
function withSign(negative, text, signed) {
  if (!/[1-9\u221e]/.test(text)) return text;
  if (negative) return MINUS + text;
  return signed ? "+" + text : text;
}

/**
 * A number for display, by unit and style: "compact" (cards' neighbours, tables), "card"
 * (compact, a free-text unit left to the card's badge), "full" (every whole-number digit) or
 * "signed" (a variance: always a sign, percent metrics in percentage points).
 * Missing or NaN -> "—"; infinite -> "∞" / "−∞".
 * @param {number | null | undefined} x
 * @param {string | null | undefined} unit
 * @param {Style} [style]
 */
export function formatNumber(x, unit, style = "compact") {
  if (typeof x !== "number" || Number.isNaN(x)) return MISSING;
  const signed = style === "signed";
  if (!Number.isFinite(x)) return withSign(x < 0, INFINITY, signed);
  const [text, mark] = magnitude(Math.abs(x), unit, style);
  return withSign(x < 0, text, signed) + mark;
}

/**
 * A relative change already in percent units, short enough for a card: 2 significant digits,
 * at most one decimal, always signed: -4.25 -> "−4.3%", -17.2 -> "−17%", 123.4 -> "+123%".
 * @param {number | null | undefined} pct
 */
export function formatChange(pct) {
  if (typeof pct !== "number" || Number.isNaN(pct)) return MISSING;
  if (!Number.isFinite(pct)) return withSign(pct < 0, INFINITY, true);
  return withSign(pct < 0, short(Math.abs(pct), 2, 1), true) + "%";
}

/**
 * A metric's value or target for display: `formatValue(564000, "currency")` -> "$564k".
 * @param {number | null | undefined} x
 * @param {string | null | undefined} unit
 */
export function formatValue(x, unit) {
  return formatNumber(x, unit, "compact");
}

/**
 * A number for a card's narrow cell: a free-text unit ("14.2 sessions") is left to the card's
 * unit badge ("14.2"), so the number fits.
 * @param {number | null | undefined} x
 * @param {string | null | undefined} unit
 */
export function formatCardValue(x, unit) {
  return formatNumber(x, unit, "card");
}

/**
 * A variance (value - target, in the metric's unit) with an explicit sign; percent metrics in
 * percentage points: -0.005 -> "−0.5 pp".
 * @param {number | null | undefined} x
 * @param {string | null | undefined} unit
 */
export function formatVariance(x, unit) {
  return formatNumber(x, unit, "signed");
}

/**
 * A relative variance already in percent units: -4.25 -> "−4.3%".
 * @param {number | null | undefined} pct
 */
export function formatVariancePct(pct) {
  return formatChange(pct);
}

/** @type {Record<string, number>} */
const GLYPH_EMS = { "\u2212": 0.84, M: 1, "%": 1, B: 0.78, ".": 0.4, ",": 0.4, " ": 0.36 };

/**
 * How wide `text` is in em of a wide bold font (DejaVu Sans Bold, with a little to spare):
 * digits and most letters 0.72em, "M" and "%" 1em. The card sizes a long number to its cell by
 * it: textEms("$47.25") -> 4, textEms("−$1.8e308") -> 6.6.
 * @param {string} text
 */
export function textEms(text) {
  let ems = 0;
  for (const c of text) ems += GLYPH_EMS[c] ?? 0.72;
  return Math.round(ems * 100) / 100;
}

/**
 * The raw number as an attribute value (`data-raw`): empty when missing.
 * @param {number | null | undefined} x
 */
export function rawAttr(x) {
  return isNumber(x) ? String(x) : "";
}
