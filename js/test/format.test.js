import { describe, expect, it } from "vitest";
import {
  formatCardValue,
  formatValue,
  formatVariance,
  formatVariancePct,
  MISSING,
  rawAttr,
} from "../format.js";

describe("formatValue", () => {
  it.each([
    [1_234_567, "$1.2M"],
    [564_000, "$564k"],
    [56_400, "$56.4k"],
    [120, "$120"],
    [47.25, "$47.25"],
    [4_700, "$4,700"],
    [999_960, "$1M"],
    [2.5e9, "$2.5B"],
    [0, "$0"],
    [-117_250, "\u2212$117k"],
  ])("currency %d -> %s", (x, text) => {
    expect(formatValue(x, "currency")).toBe(text);
  });

  it.each([
    [0.025, "2.5%"],
    [0.12, "12%"],
    [0.0012, "0.12%"],
    [1.5, "150%"],
    [-0.03, "\u22123%"],
  ])("percent %d -> %s", (x, text) => {
    expect(formatValue(x, "percent")).toBe(text);
  });

  it.each([
    [50_000, "50k"],
    [1_200_000, "1.2M"],
    [4_700, "4,700"],
    [3.5, "3.5"],
    [12_345, "12.3k"],
  ])("count %d -> %s", (x, text) => {
    expect(formatValue(x, "count")).toBe(text);
  });

  it("days, ratio, plain and free-text units", () => {
    expect(formatValue(14, "days")).toBe("14 d");
    expect(formatValue(3.2, "ratio")).toBe("3.2x");
    expect(formatValue(0.35, "ratio")).toBe("0.35x");
    expect(formatValue(1234.5, null)).toBe("1,234.5");
    expect(formatValue(25_000, "number")).toBe("25k");
    expect(formatValue(42, "hours")).toBe("42 hours");
  });

  it("leaves a free-text unit to the card's badge in a card's cell", () => {
    expect(formatCardValue(14.2, "sessions")).toBe("14.2");
    expect(formatCardValue(311_000_000, "minutes")).toBe("311M");
    expect(formatCardValue(14_700_000, "currency")).toBe("$14.7M");
    expect(formatCardValue(0.21, "percent")).toBe("21%");
    expect(formatCardValue(74, "days")).toBe("74 d");
    expect(formatCardValue(null, "sessions")).toBe(MISSING);
  });

  it("shows a dash for missing and non-finite numbers", () => {
    for (const x of [null, undefined, NaN, Infinity, -Infinity]) {
      expect(formatValue(x, "currency")).toBe(MISSING);
    }
  });

  it("does not sign a number that rounds to zero", () => {
    expect(formatValue(-0.001, "count")).toBe("0");
  });
});

describe("formatVariance", () => {
  it("adds a sign in the metric's unit", () => {
    expect(formatVariance(-117_250, "currency")).toBe("\u2212$117k");
    expect(formatVariance(12_000, "count")).toBe("+12k");
    expect(formatVariance(3, "days")).toBe("+3 d");
    expect(formatVariance(0.4, "ratio")).toBe("+0.4x");
  });

  it("shows percent metrics in percentage points", () => {
    expect(formatVariance(-0.005, "percent")).toBe("\u22120.5 pp");
  });

  it("leaves zero and missing unsigned", () => {
    expect(formatVariance(0, "currency")).toBe("$0");
    expect(formatVariance(null, "currency")).toBe(MISSING);
  });
});

describe("formatVariancePct", () => {
  it("formats percent units with a sign", () => {
    expect(formatVariancePct(-17.2)).toBe("\u221217%");
    expect(formatVariancePct(-4.25)).toBe("\u22124.3%");
    expect(formatVariancePct(4)).toBe("+4%");
    expect(formatVariancePct(123.4)).toBe("+123%");
    expect(formatVariancePct(0)).toBe("0%");
    expect(formatVariancePct(NaN)).toBe(MISSING);
  });
});

describe("rawAttr", () => {
  it("is the plain number or empty", () => {
    expect(rawAttr(564000.5)).toBe("564000.5");
    expect(rawAttr(null)).toBe("");
    expect(rawAttr(NaN)).toBe("");
  });
});

describe("round numbers", () => {
  it("keeps the zeros of whole numbers", () => {
    expect(formatValue(100, "days")).toBe("100 d");
    expect(formatValue(10, "percent")).toBe("1000%");
    expect(formatValue(200_000, "count")).toBe("200k");
  });
});
