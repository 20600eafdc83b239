import { describe, expect, it } from "vitest";
import { fold, searchMetrics } from "../search.js";

const metrics = [
  { id: "revenue", name: "Revenue", owner: "CEO" },
  { id: "customers", name: "Customers", owner: "COO" },
  { id: "new_customers", name: "New customers", owner: "VP Growth" },
  { id: "win_rate", name: "Win rate", owner: "Head of Sales" },
  { id: "nrr", name: "Net revenue retention", owner: "Head of CS" },
  { id: "umsatz", name: "Umsatz (\u20ac)", owner: "J\u00fcrgen M\u00fcller" },
  { id: "m249", name: "Metric 249", owner: "Owner 27" },
  { id: "m24", name: "Metric 24", owner: "Owner 24" },
  { id: "m2", name: "Metric 2", owner: null },
];

/** @param {string} q */
const ids = (q, limit = 8) => searchMetrics(metrics, q, limit).matches.map((m) => m.id);

describe("search", () => {
  it("folds case, accents and separators", () => {
    expect(fold("  \u00dcn\u00efc\u00f6d\u00e9  Win_rate-x.y ")).toBe("unicode win rate x y");
  });

  it("finds nothing for an empty query", () => {
    expect(searchMetrics(metrics, "   ")).toEqual({ matches: [], total: 0 });
  });

  it("ranks the exact name first, then prefixes, then words, then anywhere", () => {
    expect(ids("customers")).toEqual(["customers", "new_customers"]);
    expect(ids("rev")).toEqual(["revenue", "nrr"]); // a prefix before a word inside
    expect(ids("venue")).toEqual(["revenue", "nrr"]); // anywhere, in the tree's order
  });

  it("puts the exact metric before the longer ones its name starts", () => {
    expect(ids("Metric 24")).toEqual(["m24", "m249"]);
    expect(ids("metric 249")).toEqual(["m249"]);
    expect(ids("metric 2")[0]).toBe("m2");
  });

  it("finds by id, with or without the underscores", () => {
    expect(ids("win_rate")).toEqual(["win_rate"]);
    expect(ids("nrr")).toEqual(["nrr"]);
    const [m] = searchMetrics(metrics, "m249").matches;
    expect(m).toEqual({
      id: "m249",
      name: "Metric 249",
      owner: "Owner 27",
      field: "id",
      rank: 1,
    });
  });

  it("finds by owner, after names and ids", () => {
    const result = searchMetrics(metrics, "head of");
    expect(result.matches.map((m) => [m.id, m.field])).toEqual([
      ["win_rate", "owner"],
      ["nrr", "owner"],
    ]);
    expect(ids("muller")).toEqual(["umsatz"]); // accents folded
    expect(ids("coo")).toEqual(["customers"]);
  });

  it("matches every word of a query found in different places", () => {
    expect(ids("rate sales")).toEqual(["win_rate"]);
    expect(ids("rate nobody")).toEqual([]);
  });

  it("says how many match beyond the ones listed", () => {
    const result = searchMetrics(metrics, "metric", 2);
    expect(result.matches.map((m) => m.id)).toEqual(["m249", "m24"]);
    expect(result.total).toBe(3);
  });

  it("stays quick on a big tree", () => {
    const big = Array.from({ length: 10000 }, (_, i) => ({
      id: `m${i}`,
      name: `Metric ${i}`,
      owner: `Owner ${i % 37}`,
    }));
    const started = performance.now();
    const result = searchMetrics(big, "metric 9999");
    expect(performance.now() - started).toBeLessThan(500);
    expect(result.matches[0].id).toBe("m9999");
  });
});
