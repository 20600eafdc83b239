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
