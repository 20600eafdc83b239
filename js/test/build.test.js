import { describe, expect, it } from "vitest";
import {
  fieldText,
  fileName,
  historyKey,
  hypothesisTargets,
  removeRequest,
  unknownNames,
} from "../build.js";
import { metric } from "./fixtures.js";

describe("the names a typed formula would create", () => {
  const known = new Set(["customers", "arpc", "churn"]);

  it("lists names that are no metric, once each, in the order typed", () => {
    expect(unknownNames("customers * arpu + upsell - arpu", known)).toEqual(["arpu", "upsell"]);
  });

  it("leaves out metrics, numbers, function calls and the language's words", () => {
    expect(unknownNames("max(customers, 1e5) * 2.5 * abs(churn)", known)).toEqual([]);
    expect(unknownNames("arpc if churn > 0.1 else customers", known)).toEqual([]);
  });

  it("counts a function name used without a call as a name", () => {
    expect(unknownNames("customers * max", known)).toEqual(["max"]);
  });
});

describe("what removing a metric asks", () => {
  it("takes a formula child out of its parent's formula", () => {
    const m = metric({ id: "arpc",  parent: "revenue", link: "formula" });
    expect(removeRequest(m)).toEqual({ metric: "arpc", parent: "revenue", subtree: false });
  });

  it("removes a hypothesis child or the root on its own", () => {
    const m = metric({ id: "nps",  parent: "retention", link: "hypothesis" });
    expect(removeRequest(m, true)).toEqual({ metric: "nps", parent: null, subtree: true });
  });
});

describe("history keys", () => {
  const key = (/** @type {Partial<KeyboardEvent>} */ e) =>
    historyKey({ key: "z", ctrlKey: false, metaKey: false, shiftKey: false, ...e });

  it("undoes with Ctrl+Z or Cmd+Z and redoes with Shift (or Ctrl+Y)", () => {
    expect(key({ ctrlKey: true })).toBe("undo");
    expect(key({ metaKey: true })).toBe("undo");
    expect(key({ key: "Z", ctrlKey: true, shiftKey: true })).toBe("redo");
    expect(key({ key: "y", ctrlKey: true })).toBe("redo");
  });

  it("ignores plain z and Alt combinations", () => {
    expect(key({})).toBeNull();
    expect(key({ ctrlKey: true, altKey: true })).toBeNull();
  });
});

describe("small helpers", () => {
  it("names a file by its last part", () => {
    expect(fileName("/home/me/trees/revenue.yaml")).toBe("revenue.yaml");
    expect(fileName("C:\\trees\\plan.json")).toBe("plan.json");
  });

  it("opens a field with the metric's text, empty when unset", () => {
    const m = metric({ id: "arpc",  owner: null, unit: "currency" });
    expect(fieldText(m, "owner")).toBe("");
    expect(fieldText(m, "unit")).toBe("currency");
  });

  it("offers hypothesis targets other than the metric and those it already drives", () => {
    const ms = [metric({ id: "a",  name: "Zed" }), metric({ id: "b",  name: "Bee" }), metric({ id: "c" })];
    const out = hypothesisTargets(ms, "a", [{ from: "a", to: "c" }]);
    expect(out.map((m) => m.id)).toEqual(["b"]);
  });
});
