import { describe, expect, it } from "vitest";
import { MINIMAP_MAX, MINIMAP_MIN_WIDTH, minimapSize, viewFrame } from "../minimap.js";

describe("the overview's geometry", () => {
  it("keeps a wide tree's proportions inside its largest size", () => {
    expect(minimapSize({ width: 1800, height: 600 })).toEqual({
      sx: 0.1,
      sy: 0.1,
      width: 180,
      height: 60,
    });
    const tall = minimapSize({ width: 600, height: 1200 });
    expect(tall).toEqual({ sx: 0.1, sy: 0.1, width: 60, height: 120 });
  });

  it("stretches a tall, narrow tree across so it can be aimed at", () => {
    // the expanded 250-metric tree: five columns, thousands of pixels tall
    const m = minimapSize({ width: 1300, height: 20000 });
    expect(m.height).toBe(MINIMAP_MAX.height);
    expect(m.width).toBe(MINIMAP_MIN_WIDTH);
    expect(m.sx).toBeGreaterThan(m.sy);
  });

  it("frames what the view shows, cut to the overview", () => {
    const s = { sx: 0.1, sy: 0.05 };
    // the view shows content x 1000..2000, y 400..1200 (scale 1)
    const frame = viewFrame({ k: 1, x: -1000, y: -400 }, { width: 1000, height: 800 }, s, {
      width: 150,
      height: 100,
    });
    expect(frame).toEqual({ x: 100, y: 20, width: 50, height: 40 });
    const outside = viewFrame({ k: 1, x: 5000, y: 0 }, { width: 100, height: 100 }, s, {
      width: 150,
      height: 100,
    });
    expect(outside.width).toBe(0);
  });
});
