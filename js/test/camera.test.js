// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { Camera, isZoomWheel, wheelZoomFactor } from "../camera.js";

/** A camera over a fresh viewport, counting the transforms it applied. */
function setup() {
  const viewport = document.createElement("div");
  const applied = { count: 0 };
  const camera = new Camera(viewport, () => applied.count++, 0.75);
  camera.listen(viewport);
  return { viewport, camera, applied };
}

/**
 * @param {HTMLElement} target
 * @param {string} type
 * @param {Record<string, number>} init
 */
const pointer = (target, type, init) =>
  target.dispatchEvent(new PointerEvent(type, { bubbles: true, pointerId: 1, button: 0, ...init }));

describe("the camera", () => {
  it("pans by a drag and swallows the click that ends it", () => {
    const { viewport, camera } = setup();
    pointer(viewport, "pointerdown", { clientX: 10, clientY: 10 });
    pointer(viewport, "pointermove", { clientX: 40, clientY: 30 });
    pointer(viewport, "pointerup", {});
    expect(camera.transform).toEqual({ k: 1, x: 30, y: 20 });
    expect(camera.autoFit).toBeNull(); // the person moved it: no more automatic fit
    const click = new MouseEvent("click", { bubbles: true, cancelable: true });
    viewport.dispatchEvent(click);
    expect(click.defaultPrevented).toBe(true);
  });

  it("takes a small wobble for a click, not a pan", () => {
    const { viewport, camera, applied } = setup();
    pointer(viewport, "pointerdown", { clientX: 10, clientY: 10 });
    pointer(viewport, "pointermove", { clientX: 12, clientY: 11 });
    pointer(viewport, "pointerup", {});
    expect(camera.transform).toEqual({ k: 1, x: 0, y: 0 });
    expect(applied.count).toBe(0);
    expect(camera.autoFit).toBe(0.75);
  });

  it("leaves a plain wheel to the page (it scrolls the notebook) and hints at the zoom", () => {
    const { viewport, camera, applied } = setup();
    let hints = 0;
    camera.onPlainWheel = () => hints++;
    const wheel = new WheelEvent("wheel", { deltaY: 100, cancelable: true });
    viewport.dispatchEvent(wheel);
    expect(wheel.defaultPrevented).toBe(false);
    expect(camera.transform).toEqual({ k: 1, x: 0, y: 0 });
    expect(applied.count).toBe(0);
    expect(camera.autoFit).toBe(0.75); // nothing the person did moved the tree
    expect(hints).toBe(1);
  });

  it.each([["ctrlKey"], ["metaKey"]])("zooms with %s+wheel around the pointer", (key) => {
    const { viewport, camera } = setup();
    const wheel = new WheelEvent("wheel", { deltaY: -100, cancelable: true });
    // happy-dom's WheelEvent leaves out the mouse position and the modifier keys
    Object.defineProperties(wheel, {
      clientX: { value: 0 },
      clientY: { value: 0 },
      ctrlKey: { value: key === "ctrlKey" },
      metaKey: { value: key === "metaKey" },
    });
    viewport.dispatchEvent(wheel);
    expect(wheel.defaultPrevented).toBe(true); // neither the page nor the browser zoom
    expect(camera.transform.k).toBeGreaterThan(1);
    expect(camera.transform.x).toBeCloseTo(0); // the point under the pointer stays put
  });
});

describe("wheel zoom steps", () => {
  it("zooms a pinch smoothly and a mouse notch by about the buttons' step", () => {
    expect(isZoomWheel({ ctrlKey: false, metaKey: false })).toBe(false);
    expect(isZoomWheel({ ctrlKey: true, metaKey: false })).toBe(true);
    // a pinch: many small deltas
    expect(wheelZoomFactor({ deltaY: -3, deltaMode: 0 })).toBeCloseTo(Math.exp(0.03));
    expect(wheelZoomFactor({ deltaY: 3, deltaMode: 0 })).toBeCloseTo(Math.exp(-0.03));
    // a mouse notch (100 px, or 3 lines in Firefox) is capped
    expect(wheelZoomFactor({ deltaY: -100, deltaMode: 0 })).toBeCloseTo(Math.exp(0.25));
    expect(wheelZoomFactor({ deltaY: 3, deltaMode: 1 })).toBeCloseTo(Math.exp(-0.25));
    expect(wheelZoomFactor({ deltaY: 1, deltaMode: 2 })).toBeCloseTo(Math.exp(-0.25));
  });
});
