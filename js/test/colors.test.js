import { describe, expect, it } from "vitest";
import { edgeStyle, statusClass, statusLabel, statusVar, STATUSES, toStatus } from "../colors.js";

describe("status", () => {
  it("maps every status to a class and a variable", () => {
    expect(STATUSES.map(statusClass)).toEqual([
      "kpt-status-on_track",
      "kpt-status-at_risk",
      "kpt-status-off_track",
      "kpt-status-undefined",
      "kpt-status-missing",
    ]);
    expect(STATUSES.map(statusVar)).toEqual([
      "--kpt-on-track",
      "--kpt-at-risk",
      "--kpt-off-track",
      "--kpt-undefined",
      "--kpt-missing",
    ]);
  });

  it("treats unknown statuses as undefined", () => {
    expect(toStatus("bogus")).toBe("undefined");
    expect(toStatus(null)).toBe("undefined");
    expect(statusLabel("off_track")).toBe("Off track");
  });
});

describe("edgeStyle", () => {
  it("gives each relation its symbol", () => {
    expect(edgeStyle("sum").symbol).toBe("\u03a3");
    expect(edgeStyle("product").symbol).toBe("\u00d7");
    expect(edgeStyle("ratio").symbol).toBe("\u00f7");
    expect(edgeStyle("formula").symbol).toBe("f");
  });

  it("dashes hypothesis links only", () => {
    expect(edgeStyle("hypothesis")).toMatchObject({ dashed: true, kind: "hypothesis" });
    expect(edgeStyle("sum").dashed).toBe(false);
    expect(edgeStyle("hypothesis").className).toBe("kpt-edge kpt-edge-hypothesis");
  });

  it("falls back to formula for unknown relations", () => {
    expect(edgeStyle(null).kind).toBe("formula");
    expect(edgeStyle("toString").kind).toBe("formula");
  });
});
