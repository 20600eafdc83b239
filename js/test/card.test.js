// @vitest-environment happy-dom
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import vectors from "../../tests/format_vectors.json";
import { Card } from "../card.js";
import { formatCardValue, textEms } from "../format.js";
import { metric } from "./fixtures.js";

const STATE = {
  node: /** @type {any} */ ({ hasKids: false, collapsed: false, hidden: 0 }),
  selected: false,
  editing: null,
  pending: null,
  error: null,
};

/**
 * @param {number} value
 * @param {string} unit
 */
function drawn(value, unit) {
  const card = new Card("m");
  card.update(metric({ id: "m", unit, value, target: value }), STATE);
  return card.fields.value;
}

// the longest texts the card formatter writes, unit by unit (tests/test_numbers.py checks the
// character count over any float; tests/e2e/test_card_numbers.py draws these in Chromium)
const LONGEST = [
  [-999.99, "currency"],
  [-Number.MAX_VALUE, "currency"],
  [-0.0123, "days"],
  [-1.23e308, "days"],
  [-12_345, "percent"],
  [-Number.MAX_VALUE / 1000, "percent"],
  [-0.0123, "ratio"],
  [-Number.MAX_VALUE, "sessions"],
];
const WIDEST_EMS = 7.4; // "−1.23e308 d" is 7.36em: at 6px a value cell (47px at least) holds it

describe("a card's number", () => {
  it("tells the stylesheet how wide it is, so a long one is drawn smaller, never cut", () => {
    const span = drawn(-999.99, "currency");
    expect(span.textContent).toBe("\u2212$999.99");
    expect(span.style.getPropertyValue("--kpt-ems")).toBe(String(textEms("\u2212$999.99")));
  });

  it("is at most as wide as the widest the stylesheet is sized for", () => {
    const texts = [
      ...vectors.cases.filter((v) => v.style === "card").map((v) => v.text),
      ...LONGEST.map(([x, unit]) => formatCardValue(/** @type {number} */ (x), String(unit))),
    ];
    const widest = Math.max(...texts.map(textEms));
    expect(widest).toBeLessThanOrEqual(WIDEST_EMS);
    expect(widest).toBeGreaterThan(WIDEST_EMS - 0.5); // the bound is the real longest text
  });

  it("is not cut with an ellipsis by the stylesheet", () => {
    const css = readFileSync("widget.css", "utf8"); // vitest runs in js/
    const rules = css.match(/[^{}]*\.kpt-(field|var)[^{}]*\{[^}]*\}/g) ?? [];
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule).not.toMatch(/text-overflow|overflow:\s*hidden/);
  });
});

describe("textEms", () => {
  it("counts wide glyphs wider", () => {
    expect(textEms("$47.25")).toBe(4);
    expect(textEms("88M%")).toBeGreaterThan(textEms("8888"));
  });
});

describe("a card's change since the period before", () => {
  /** @param {Partial<import("../types.js").Metric>} fields */
  function changeOf(fields) {
    const card = new Card("m");
    card.update(metric({ id: "m", value: 110, target: 100, ...fields }), STATE);
    return card.change;
  }

  it("shows Python's text and the relative change as its raw number", () => {
    const span = changeOf({
      change: 0.1,
      text: /** @type {any} */ ({ ...metric({ id: "m" }).text, change: "+10%" }),
    });
    expect(span.hidden).toBe(false);
    expect(span.dataset.field).toBe("change");
    expect(span.dataset.raw).toBe("0.1");
    expect(span.textContent).toBe("+10%");
    expect(span.classList.contains("kpt-up")).toBe(true);
  });

  it("formats it itself when Python sent no text, and marks a fall", () => {
    const span = changeOf({ change: -0.0425 });
    expect(span.textContent).toBe("\u22124.3%");
    expect(span.classList.contains("kpt-down")).toBe(true);
    expect(span.title).toBe("\u22124.3% since the period before");
  });

  it("is hidden in the first period, where there is nothing to compare with", () => {
    for (const change of [null, undefined]) {
      const span = changeOf({ change });
      expect(span.hidden).toBe(true);
      expect(span.dataset.raw).toBe("");
    }
  });

  it("goes when a later update has none", () => {
    const card = new Card("m");
    card.update(metric({ id: "m", value: 1, change: 0.5 }), STATE);
    card.update(metric({ id: "m", value: 1, change: null }), STATE);
    expect(card.change.hidden).toBe(true);
  });
});
