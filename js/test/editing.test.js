import { describe, expect, it } from "vitest";
import { editText, keyAction, neighbour, shouldSend } from "../editing.js";

describe("keyAction", () => {
  it("maps editing keys", () => {
    expect(keyAction("Enter", false)).toBe("commit");
    expect(keyAction("Escape", false)).toBe("cancel");
    expect(keyAction("Tab", false)).toBe("next");
    expect(keyAction("Tab", true)).toBe("previous");
    expect(keyAction("a", false)).toBeNull();
    expect(keyAction("ArrowLeft", false)).toBeNull();
  });
});

describe("editText", () => {
  it("writes numbers as people type them", () => {
    expect(editText(0.025, "percent")).toBe("2.5%");
    expect(editText(0.07, "percent")).toBe("7%");
    expect(editText(681250, "currency")).toBe("681250");
    expect(editText(0.1 + 0.2, "ratio")).toBe("0.3");
    expect(editText(null, "count")).toBe("");
    expect(editText(NaN, "count")).toBe("");
  });
});

describe("shouldSend", () => {
  it("skips unchanged text", () => {
    expect(shouldSend("12%", "12%")).toBe(false);
    expect(shouldSend("12%", " 12% ")).toBe(false);
    expect(shouldSend("12%", "13%")).toBe(true);
    expect(shouldSend("12%", "")).toBe(true);
  });
});

describe("neighbour", () => {
  it("steps through the order without wrapping", () => {
    const order = ["a", "b", "c"];
    expect(neighbour(order, "a", 1)).toBe("b");
    expect(neighbour(order, "c", 1)).toBeNull();
    expect(neighbour(order, "b", -1)).toBe("a");
    expect(neighbour(order, "a", -1)).toBeNull();
    expect(neighbour(order, "x", 1)).toBeNull();
  });
});
