import { describe, expect, it } from "vitest";
import {
  autoFit,
  autoHeight,
  centerIn,
  centerOn,
  contains,
  fitBox,
  fitTransform,
  intersects,
  panIntoView,
  READABLE_SCALE,
  visibleRect,
  zoomAt,
} from "../viewport.js";

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

describe("autoFit", () => {
  const view = { x: 0, y: 0, width: 1000, height: 600 };
  const root = { x: 16, y: 300, width: 200, height: 90 };

  it("fits content that fits at a readable scale, centred", () => {
    const t = autoFit(view, { width: 1200, height: 700 }, root, { padding: 0, minScale: 0.75 });
    expect(t.k).toBeCloseTo(1000 / 1200);
    expect(t.x).toBeCloseTo(0);
    expect(t.y).toBeCloseTo((600 - 700 * t.k) / 2);
  });

  it("never goes below minScale: too wide shows the root's column at the left", () => {
    const t = autoFit(view, { width: 3000, height: 600 }, root, { padding: 8, minScale: 0.75 });
    expect(t.k).toBe(0.75);
    expect(root.x * t.k + t.x).toBe(8);
  });

  it("keeps the content centred when a little too tall, the root when it would be cut", () => {
    const content = { width: 800, height: 900 };
    const t = autoFit(view, content, root, { padding: 0, minScale: 0.75 });
    expect(t.k).toBe(0.75);
    expect(t.y).toBeCloseTo((600 - 900 * 0.75) / 2); // root (300..390) * 0.75 stays in view
    const low = { x: 16, y: 3500, width: 200, height: 90 };
    const u = autoFit(view, { width: 800, height: 4000 }, low, { padding: 0, minScale: 0.75 });
    expect((low.y + low.height / 2) * u.k + u.y).toBeCloseTo(300);
  });

  it("fits into an area that is not the whole viewport", () => {
    const area = { x: 0, y: 40, width: 700, height: 560 };
    const t = autoFit(area, { width: 350, height: 280 }, root, { padding: 0 });
    expect(t).toEqual({ k: 1, x: 175, y: 40 + 140 });
  });
});

describe("panIntoView", () => {
  const area = { x: 0, y: 0, width: 700, height: 600 }; // left of a 300 px panel
  const t = { x: 0, y: 0, k: 0.75 };

  it("leaves a visible box alone", () => {
    expect(panIntoView(t, area, { x: 100, y: 100, width: 200, height: 90 })).toBe(t);
  });

  it("pans the least that shows the box, never changing the scale", () => {
    // a card at content x 1000 is at screen 750..900: under the panel
    const moved = panIntoView(t, area, { x: 1000, y: 100, width: 200, height: 90 }, 8);
    expect(moved.k).toBe(0.75);
    expect(moved.y).toBe(0);
    expect(1000 * moved.k + moved.x + 200 * moved.k).toBe(700 - 8);
    const up = panIntoView(t, area, { x: 100, y: -50, width: 200, height: 90 }, 8);
    expect(up).toEqual({ k: 0.75, x: 0, y: 8 + 50 * 0.75 });
  });

  it("shows the top left of a box bigger than the area", () => {
    const big = panIntoView(t, { x: 0, y: 40, width: 100, height: 50 }, {
      x: 10,
      y: 10,
      width: 200,
      height: 90,
    });
    expect(10 * big.k + big.x).toBe(8);
    expect(10 * big.k + big.y).toBe(48);
  });
});

describe("autoHeight", () => {
  const options = { chrome: 40, padding: 8, minScale: 0.75, min: 320, max: 720 };

  it("gives a tall tree up to the maximum and a short one at least the minimum", () => {
    expect(autoHeight({ width: 1260, height: 5000 }, 966, options)).toBe(720);
    expect(autoHeight({ width: 400, height: 150 }, 966, options)).toBe(320);
  });

  it("follows the scale the fit will use for that width", () => {
    // too wide for 950 px at 0.75: 883 * 0.75 + 16 + 40
    expect(autoHeight({ width: 1300, height: 883 }, 966, options)).toBe(Math.ceil(662.25 + 56));
    // never enlarged: a narrow tree shows at scale 1
    expect(autoHeight({ width: 600, height: 500 }, 966, options)).toBe(556);
    // a narrow view: the minimum scale
    expect(autoHeight({ width: 1260, height: 600 }, 500, options)).toBe(Math.ceil(450 + 56));
  });
});

describe("fitBox (the Fit button)", () => {
  const area = { x: 0, y: 0, width: 1000, height: 600 };
  /**
   * @param {number} x
   * @param {number} y
   */
  const card = (x, y) => ({ x, y, width: 200, height: 90 });

  it("shows all of a box that fits readably, centred", () => {
    const fit = fitBox(area, { x: 100, y: 50, width: 1200, height: 600 }, card(100, 300), {
      padding: 0,
    });
    expect(fit.whole).toBe(true);
    expect(fit.transform.k).toBeCloseTo(1000 / 1200);
    const t = fit.transform;
    // the box's centre is the area's centre
    expect((100 + 600) * t.k + t.x).toBeCloseTo(500);
    expect((50 + 300) * t.k + t.y).toBeCloseTo(300);
  });

  it("never goes below a readable scale: the anchor leads and it says so", () => {
    const anchor = card(16, 8000);
    const fit = fitBox(area, { x: 0, y: 0, width: 2000, height: 17000 }, anchor, {
      padding: 8,
      minScale: READABLE_SCALE,
    });
    expect(fit.whole).toBe(false);
    expect(fit.needed).toBeLessThan(0.05);
    expect(fit.transform.k).toBe(READABLE_SCALE);
    expect(READABLE_SCALE).toBeGreaterThanOrEqual(0.5);
    const t = fit.transform;
    // the anchor's column starts at the left, the anchor centred vertically
    expect(anchor.x * t.k + t.x).toBeCloseTo(8);
    expect((anchor.y + 45) * t.k + t.y).toBeCloseTo(300);
  });

  it("keeps a box that is too tall but narrow centred across", () => {
    const fit = fitBox(area, { x: 0, y: 0, width: 500, height: 9000 }, card(0, 4000), {
      padding: 0,
    });
    expect(fit.transform.k).toBe(READABLE_SCALE);
    expect(fit.transform.x).toBeCloseTo((1000 - 500 * READABLE_SCALE) / 2);
  });

  it("centres a point in a part of the view", () => {
    const t = centerIn({ x: 0, y: 40, width: 700, height: 560 }, 1000, 2000, 0.8);
    expect(1000 * t.k + t.x).toBeCloseTo(350);
    expect(2000 * t.k + t.y).toBeCloseTo(320);
  });
});
