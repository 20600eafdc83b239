import { describe, expect, it } from "vitest";
import { ancestors, indexTree, initialCollapsed, inputDescendants, visibleOrder } from "../tree.js";
import { bigTree, metric, revenueTree } from "./fixtures.js";

describe("indexTree", () => {
  it("follows parents and formula order", () => {
    const index = indexTree(revenueTree());
    expect(index.roots).toEqual(["revenue"]);
    expect(index.kids.get("customers")).toEqual([
      "new_customers",
      "returning_customers",
      "lost_customers",
    ]);
    expect(index.depth.get("signup_rate")).toBe(3);
    expect(index.size.get("revenue")).toBe(7);
    expect(index.size.get("new_customers")).toBe(2);
    expect(index.order[0]).toBe("revenue");
    expect(index.order).toHaveLength(8);
  });

  it("draws metrics outside the formula tree as extra roots", () => {
    const data = revenueTree();
    data.metrics.push(metric({ id: "onboarding" }));
    expect(indexTree(data).roots).toEqual(["revenue", "onboarding"]);
  });

  it("survives parent cycles, self parents and dangling references", () => {
    const data = revenueTree();
    data.metrics.push(
      metric({ id: "a", parent: "b", children: ["b"] }),
      metric({ id: "b", parent: "a", children: ["a", "ghost"] }),
      metric({ id: "c", parent: "c" }),
    );
    const index = indexTree(data);
    expect(new Set(index.order)).toEqual(new Set(data.metrics.map((m) => m.id)));
    expect(index.order).toHaveLength(data.metrics.length);
    expect(index.roots).toContain("c");
  });

  it("draws a metric shared by two formulas once, under its parent", () => {
    const data = revenueTree();
    data.metrics[0].children.push("signup_rate");
    const index = indexTree(data);
    expect(index.order.filter((id) => id === "signup_rate")).toHaveLength(1);
    expect(index.parentOf.get("signup_rate")).toBe("new_customers");
  });
});

describe("collapse and order", () => {
  it("opens small trees fully", () => {
    expect(initialCollapsed(indexTree(revenueTree())).size).toBe(0);
  });

  it("closes big trees below level 2", () => {
    const index = indexTree(bigTree(2000));
    const collapsed = initialCollapsed(index);
    expect(collapsed.size).toBeGreaterThan(0);
    for (const id of collapsed) expect(index.depth.get(id)).toBeGreaterThanOrEqual(2);
    const shown = visibleOrder(index, collapsed);
    expect(Math.max(...shown.map((id) => index.depth.get(id) ?? 0))).toBe(2);
  });

  it("walks visible metrics depth-first", () => {
    const index = indexTree(revenueTree());
    expect(visibleOrder(index, new Set(["customers"]))).toEqual(["revenue", "customers", "arpc"]);
  });

  it("finds ancestors and input levers", () => {
    const index = indexTree(revenueTree());
    expect(ancestors(index, "signup_rate")).toEqual(["new_customers", "customers", "revenue"]);
    expect(inputDescendants(index, "customers")).toEqual([
      "website_visitors",
      "signup_rate",
      "returning_customers",
      "lost_customers",
    ]);
    expect(inputDescendants(index, "arpc")).toEqual([]);
  });

  it("indexes a very deep chain without overflowing the stack", () => {
    const metrics = Array.from({ length: 20000 }, (_, i) =>
      metric({
        id: `d${i}`,
        parent: i ? `d${i - 1}` : null,
        children: i < 19999 ? [`d${i + 1}`] : [],
      }),
    );
    const index = indexTree({ ...revenueTree(), root: "d0", metrics, hypotheses: [] });
    expect(index.depth.get("d19999")).toBe(19999);
    expect(index.size.get("d0")).toBe(19999);
  });
});
