import { describe, expect, it } from "vitest";
import { centerOn, contains, fitTransform, intersects, visibleRect, zoomAt } from "../viewport.js";

describe("fitTransform", () => {
  it("scales large content down and centres it", () => {
    const t = fitTransform(
      { width: 1000, height: 500 },
      { width: 2000, height: 500 },
      { padding: 0 },
    );
    expect(t.k).toBe(0.5);
    expect(t.x).toBe(0);
    expect(t.y).toBe(125);
  });

  it("never enlarges past maxScale", () => {
    const t = fitTransform({ width: 1000, height: 500 }, { width: 100, height: 100 });
    expect(t).toEqual({ k: 1, x: 450, y: 200 });
  });

  it("clamps to minScale and centres the content", () => {
    const t = fitTransform(
      { width: 1000, height: 500 },
      { width: 600, height: 10000 },
      { minScale: 0.5, padding: 0 },
    );
    expect(t.k).toBe(0.5);
    expect(t.y).toBe((500 - 5000) / 2);
  });

  it("copes with an empty viewport", () => {
    const t = fitTransform({ width: 0, height: 0 }, { width: 100, height: 100 });
    expect(Number.isFinite(t.k) && Number.isFinite(t.x) && Number.isFinite(t.y)).toBe(true);
  });
});

describe("zoom and pan", () => {
  it("keeps the point under the cursor fixed", () => {
    const t = zoomAt({ x: 10, y: 20, k: 1 }, 2, 110, 220);
    expect(t).toEqual({ k: 2, x: -90, y: -180 });
    // content point under (110, 220) before and after
    expect((110 - t.x) / t.k).toBe(100);
  });

  it("clamps the scale", () => {
    expect(zoomAt({ x: 0, y: 0, k: 1 }, 1000, 0, 0).k).toBe(2.5);
    expect(zoomAt({ x: 0, y: 0, k: 1 }, 0.0001, 0, 0).k).toBe(0.05);
  });

  it("centres a content point", () => {
    expect(centerOn({ x: 0, y: 0, k: 2 }, { width: 800, height: 600 }, 100, 50)).toEqual({
      k: 2,
      x: 200,
      y: 200,
    });
  });

  it("computes the visible content rectangle", () => {
    const r = visibleRect({ x: -100, y: -50, k: 2 }, { width: 800, height: 600 }, 10);
    expect(r).toEqual({ x: 45, y: 20, width: 410, height: 310 });
    expect(intersects(r, { x: 400, y: 300, width: 100, height: 100 })).toBe(true);
    expect(intersects(r, { x: 500, y: 0, width: 10, height: 10 })).toBe(false);
    expect(contains(r, { x: 50, y: 30, width: 100, height: 100 })).toBe(true);
    expect(contains(r, { x: 40, y: 30, width: 100, height: 100 })).toBe(false);
  });
});
