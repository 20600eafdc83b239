import { describe, expect, it } from "vitest";
import vectors from "../../tests/format_vectors.json";
import {
  formatCardValue,
  formatChange,
  formatNumber,
  formatValue,
  formatVariance,
  formatVariancePct,
  MISSING,
  rawAttr,
  STYLES,
} from "../format.js";

/**
 * A vector's number: JSON has no NaN or infinity, so those are spelled as strings.
 * @param {number | string | null} x
 */
function decode(x) {
  if (x === "nan") return NaN;
  if (x === "inf") return Infinity;
  if (x === "-inf") return -Infinity;
  return /** @type {number | null} */ (x);
}

/**
 * @param {{x: number | string | null, unit: string | null, style: string}} v
 */
function format(v) {
  const x = decode(v.x);
  if (v.style === "change") return formatChange(x);
  return formatNumber(x, v.unit, /** @type {import("../format.js").Style} */ (v.style));
}

describe("the shared number vectors (the same file Python's tests read)", () => {
  it.each(vectors.cases.map((v) => [v.x, v.unit, v.style, v.text, v.why, v]))(
    "%s %s %s -> %s (%s)",
    (_x, _unit, _style, text, _why, v) => {
      expect(format(/** @type {any} */ (v))).toBe(text);
    },
  );

  it("cover every style and every unit the view formats", () => {
    const styles = new Set(vectors.cases.map((v) => v.style));
    for (const style of [...STYLES, "change"]) expect(styles).toContain(style);
    const units = new Set(vectors.cases.map((v) => v.unit));
    for (const unit of ["currency", "percent", "count", "days", "ratio", null, "number"]) {
      expect(units).toContain(unit);
    }
  });
});

describe("the view's helpers are the styles", () => {
  it("formatValue is compact, formatCardValue card, formatVariance signed", () => {
    expect(formatValue(1_234_567, "currency")).toBe("$1.23M");
    expect(formatValue(42, "hours")).toBe("42 hours");
    expect(formatCardValue(42, "hours")).toBe("42");
    expect(formatVariance(-0.005, "percent")).toBe("\u22120.5 pp");
    expect(formatVariancePct(-4.25)).toBe("\u22124.3%");
    expect(formatValue(undefined, "currency")).toBe(MISSING);
  });
});

describe("rawAttr", () => {
  it("is the plain number or empty", () => {
    expect(rawAttr(564000.5)).toBe("564000.5");
    expect(rawAttr(null)).toBe("");
    expect(rawAttr(NaN)).toBe("");
  });
});
