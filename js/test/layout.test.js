import { describe, expect, it } from "vitest";
import { CARD_H, CARD_W, GAP_X, GAP_Y, layoutTree, linkCurve } from "../layout.js";
import { indexTree, initialCollapsed } from "../tree.js";
import { bigTree, metric, revenueTree } from "./fixtures.js";

/**
 * @param {import("../layout.js").LayoutNode} a
 * @param {import("../layout.js").LayoutNode} b
 */
const overlap = (a, b) =>
  a.x < b.x + CARD_W && b.x < a.x + CARD_W && a.y < b.y + CARD_H && b.y < a.y + CARD_H;

describe("layoutTree", () => {
  const data = revenueTree();
  const index = indexTree(data);
  const layout = layoutTree(index, new Set(), data.hypotheses);

  it("places every metric once, depth-first, in columns by level", () => {
    expect(layout.nodes.map((n) => n.id)).toEqual(index.order);
    for (const n of layout.nodes) expect(n.x).toBe(layout.nodes[0].x + n.depth * (CARD_W + GAP_X));
    expect(layout.byId.get("signup_rate")?.depth).toBe(3);
  });

  it("never overlaps cards and keeps them inside the bounds", () => {
    for (const a of layout.nodes) {
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.y).toBeGreaterThanOrEqual(0);
      expect(a.x + CARD_W).toBeLessThanOrEqual(layout.width);
      expect(a.y + CARD_H).toBeLessThanOrEqual(layout.height);
      for (const b of layout.nodes) if (a !== b) expect(overlap(a, b)).toBe(false);
    }
  });

  it("draws a junction per parent and an edge per child", () => {
    expect(layout.junctions.map((j) => [j.id, j.kind])).toEqual([
      ["revenue", "product"],
      ["customers", "sum"],
      ["new_customers", "product"],
    ]);
    const childEdges = layout.edges.filter((e) => e.from !== e.to);
    expect(childEdges).toHaveLength(7);
    expect(layout.edges.every((e) => /^M[\d.,\-]+[HC]/.test(e.d))).toBe(true);
  });

  it("explains each junction's relation with the formula", () => {
    expect(layout.junctions.map((j) => j.title)).toEqual([
      "product: customers * arpc",
      "sum: new_customers + returning_customers - lost_customers",
      "product: website_visitors * signup_rate",
    ]);
    const data = revenueTree();
    data.metrics[0].relation = "formula";
    data.metrics[0].formula = "list_acv * (1 - discount_rate)";
    const drawn = layoutTree(indexTree(data), new Set());
    expect(drawn.junctions[0].title).toBe("formula: list_acv * (1 - discount_rate)");
  });

  it("is compact: columns a gap apart, siblings GAP_Y apart", () => {
    expect(GAP_X).toBeLessThanOrEqual(60);
    const [revenue, customers] = [layout.byId.get("revenue"), layout.byId.get("customers")];
    expect((customers?.x ?? 0) - (revenue?.x ?? 0)).toBe(CARD_W + GAP_X);
    const kids = ["new_customers", "returning_customers", "lost_customers"].map(
      (id) => layout.byId.get(id)?.y ?? 0,
    );
    expect(kids[1] - kids[0]).toBe(CARD_H + GAP_Y);
    expect(kids[2] - kids[1]).toBe(CARD_H + GAP_Y);
  });

  it("links hypotheses between drawn metrics", () => {
    expect(layout.hypotheses).toHaveLength(1);
    expect(layout.hypotheses[0]).toMatchObject({ from: "arpc", to: "lost_customers", sign: "+" });
    // the sign sits on the link near its driver: converging links keep their signs apart
    const link = layout.hypotheses[0];
    const [from, to] = [layout.byId.get("arpc"), layout.byId.get("lost_customers")];
    const start = (from?.x ?? 0) + CARD_W;
    const end = to?.x ?? 0;
    expect(link.labelX).toBeGreaterThan(start);
    expect(link.labelX - start).toBeLessThan(end - link.labelX);
    expect(link.labelY).toBeCloseTo((from?.y ?? 0) + CARD_H / 2); // same row: a straight link
  });

  it("places a hypothesis driver under the metric it drives without a formula edge", () => {
    const data = revenueTree();
    data.metrics.push(
      metric({ id: "nps", parent: "arpc", level: 2 }),
      metric({ id: "cac", parent: "signup_rate", level: 4 }),
    );
    data.hypotheses.push(
      { from: "nps", to: "arpc", sign: "+" },
      { from: "cac", to: "signup_rate", sign: "+" },
    );
    const drawn = layoutTree(indexTree(data), new Set(), data.hypotheses);
    expect(drawn.byId.get("nps")?.depth).toBe(2);
    expect(drawn.byId.get("arpc")?.hasKids).toBe(true);
    expect(drawn.edges.some((e) => e.to === "nps" || e.to === "cac")).toBe(false);
    expect(drawn.junctions.map((j) => j.id)).not.toContain("arpc");
    expect(drawn.hypotheses.map((h) => h.from)).toEqual(["arpc", "nps", "cac"]);
  });

  it("hides collapsed subtrees and counts them", () => {
    const closed = layoutTree(index, new Set(["customers"]), data.hypotheses);
    expect(closed.nodes.map((n) => n.id)).toEqual(["revenue", "customers", "arpc"]);
    expect(closed.byId.get("customers")).toMatchObject({ collapsed: true, hidden: 5 });
    expect(closed.hypotheses).toHaveLength(0);
  });

  it("lays out 2,000 metrics in under 50 ms", () => {
    const big = indexTree(bigTree(2000));
    // best of five warm runs: the machine may be busy with other work
    const times = [];
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const full = layoutTree(big, new Set());
      times.push(performance.now() - t0);
      expect(full.nodes).toHaveLength(2000);
    }
    const best = Math.min(...times.slice(1));
    console.info(`layout of 2,000 metrics: ${best.toFixed(1)} ms`);
    expect(best).toBeLessThan(50);
    const opened = layoutTree(big, initialCollapsed(big));
    expect(opened.nodes.length).toBeLessThan(200);
  });

  it("keeps 2,000 cards apart", () => {
    const full = layoutTree(indexTree(bigTree(2000)), new Set());
    /** @type {Map<number, number[]>} */
    const columns = new Map();
    for (const n of full.nodes) columns.set(n.x, [...(columns.get(n.x) ?? []), n.y]);
    for (const column of columns.values()) {
      const ys = column.sort((a, b) => a - b);
      for (let i = 1; i < ys.length; i++) expect(ys[i] - ys[i - 1]).toBeGreaterThanOrEqual(CARD_H);
    }
  });
});

describe("an input shared by two formulas", () => {
  it("is drawn once and linked from both formulas' junctions", () => {
    const data = revenueTree();
    const arpc = data.metrics.find((m) => m.id === "arpc");
    if (!arpc) throw new Error("fixture changed");
    arpc.children = ["signup_rate"];
    arpc.is_input = false;
    arpc.relation = "product";
    const drawn = layoutTree(indexTree(data), new Set(), data.hypotheses);
    expect(drawn.nodes.filter((n) => n.id === "signup_rate")).toHaveLength(1);
    const toShared = drawn.edges.filter((e) => e.to === "signup_rate");
    expect(toShared.map((e) => [e.from, Boolean(e.shared)])).toEqual([
      ["new_customers", false],
      ["arpc", true],
    ]);
    expect(drawn.junctions.map((j) => j.id)).toContain("arpc");
    const card = drawn.byId.get("signup_rate");
    if (!card) throw new Error("not drawn");
    const [x, y] = (toShared[1].d.split(" ").pop() ?? "").split(",").map(Number);
    expect([card.x, card.x + CARD_W]).toContain(x); // at one of the card's sides
    expect(y).toBe(card.y + CARD_H / 2);
  });
});

describe("a guard metric", () => {
  /** The revenue tree with `discount_share` guarding `arpc`, placed beside it. */
  const guarded = () => {
    const data = revenueTree();
    data.metrics.push(
      metric({ id: "discount_share", parent: "arpc", level: 2, link: "guard", guards: "arpc" }),
    );
    return data;
  };

  it("is linked to the metric it guards, from its card to that card", () => {
    const drawn = layoutTree(indexTree(guarded()), new Set(), []);
    expect(drawn.guards.map((g) => [g.from, g.to])).toEqual([["discount_share", "arpc"]]);
    const guard = drawn.byId.get("discount_share");
    const arpc = drawn.byId.get("arpc");
    if (!guard || !arpc) throw new Error("not drawn");
    // the guard sits one column right of arpc: from its left edge to arpc's right edge
    expect(guard.x).toBeGreaterThan(arpc.x);
    expect(drawn.guards[0].d.startsWith(`M${guard.x},${guard.y + CARD_H / 2}C`)).toBe(true);
    expect(drawn.guards[0].d.endsWith(` ${arpc.x + CARD_W},${arpc.y + CARD_H / 2}`)).toBe(true);
    // a guard is not a formula operand: no formula edge reaches it
    expect(drawn.edges.filter((e) => e.to === "discount_share")).toEqual([]);
  });

  it("has no link when the metric it guards is hidden or unknown", () => {
    expect(layoutTree(indexTree(guarded()), new Set(["arpc"]), []).guards).toEqual([]);
    const data = guarded();
    data.metrics[data.metrics.length - 1].guards = "no_such_metric";
    expect(layoutTree(indexTree(data), new Set(), []).guards).toEqual([]);
  });
});

describe("linkCurve", () => {
  it("runs edge to edge between columns and bulges right within one", () => {
    const a = { x: 10, y: 0 };
    const right = { x: 10 + CARD_W + GAP_X, y: 200 };
    const mid = CARD_H / 2;
    expect(linkCurve(a, right).d).toBe(
      `M${10 + CARD_W},${mid}C${10 + CARD_W + GAP_X},${mid} ${right.x - GAP_X},${200 + mid} ` +
        `${right.x},${200 + mid}`,
    );
    expect(linkCurve(right, a).xs).toEqual([
      right.x,
      right.x - GAP_X,
      10 + CARD_W + GAP_X,
      10 + CARD_W,
    ]);
    const below = { x: 10, y: 400 };
    const { xs } = linkCurve(a, below);
    expect(xs[0]).toBe(10 + CARD_W);
    expect(xs[3]).toBe(10 + CARD_W);
    expect(xs[1]).toBeGreaterThan(10 + CARD_W);
    expect(xs[1]).toBe(xs[2]);
  });
});
