// The view's camera: where the tree is panned and how far it is zoomed, and whether the
// automatic fit still applies. UI-only state of one view (never synced to Python): each display
// of a widget pans on its own.

import { zoomAt } from "./viewport.js";

/**
 * @typedef {import("./viewport.js").Transform} Transform
 *
 * @typedef {object} Drag
 * @property {number} pointerId
 * @property {number} startX
 * @property {number} startY
 * @property {Transform} from
 * @property {boolean} moved
 */

/** A press moving less than this (px) is a click, not a pan. */
const DRAG_THRESHOLD = 4;
/** Pixels per wheel line (deltaMode 1) and per page (deltaMode 2). */
const LINE_PX = 33;
const PAGE_PX = 600;
/** Zoom per wheel pixel, and the most one wheel event zooms (a mouse notch is ~100 px). */
const ZOOM_PER_PX = 0.01;
const MAX_ZOOM_STEP = 0.25;

/**
 * Whether a wheel event zooms the view: Ctrl or Cmd held, or a pinch (which browsers send as a
 * wheel with ctrlKey). A plain wheel scrolls the page.
 * @param {{ctrlKey: boolean, metaKey: boolean}} e
 */
export function isZoomWheel(e) {
  return e.ctrlKey || e.metaKey;
}

/**
 * The zoom factor of one zooming wheel event: small pinch deltas zoom smoothly, a mouse notch
 * zooms by at most e^0.25 (about the +/- buttons' 1.25).
 * @param {{deltaY: number, deltaMode: number}} e
 */
export function wheelZoomFactor(e) {
  const px = e.deltaY * (e.deltaMode === 1 ? LINE_PX : e.deltaMode === 2 ? PAGE_PX : 1);
  const step = Math.max(-MAX_ZOOM_STEP, Math.min(MAX_ZOOM_STEP, px * ZOOM_PER_PX));
  return Math.exp(-step);
}

export class Camera {
  /**
   * @param {HTMLElement} viewport  the element panned over (it gets the pointer events)
   * @param {() => void} onChange   apply `transform` (called after every pan or zoom)
   * @param {number | null} [autoFit]  the automatic fit's minimum scale
   */
  constructor(viewport, onChange, autoFit = null) {
    this.viewport = viewport;
    this.onChange = onChange;
    /** @type {Transform} */
    this.transform = { x: 0, y: 0, k: 1 };
    /** Minimum scale of the automatic fit, or null once the person has panned or zoomed. */
    /** @type {number | null} */
    this.autoFit = autoFit;
    /** @type {Drag | null} */
    this.drag = null;
    this.suppressClick = false;
    /** Called for a plain wheel over the view (which scrolls the page, not the tree). */
    /** @type {(() => void) | null} */
    this.onPlainWheel = null;
  }

  /**
   * Pan by dragging the viewport; zoom with Ctrl/Cmd+wheel or a pinch.
   * @param {HTMLElement} vp
   */
  listen(vp) {
    vp.addEventListener("wheel", (e) => this.onWheel(e), { passive: false });
    vp.addEventListener("pointerdown", (e) => this.onPointerDown(e));
    vp.addEventListener("pointermove", (e) => this.onPointerMove(e));
    vp.addEventListener("pointerup", () => this.endDrag());
    vp.addEventListener("pointercancel", () => this.endDrag());
    vp.addEventListener("click", (e) => this.swallowClickAfterDrag(e), { capture: true });
  }

  /**
   * A transform chosen by the person (or for them): the automatic fit stops.
   * @param {Transform} t
   */
  set(t) {
    this.autoFit = null;
    this.transform = t;
    this.onChange();
  }

  /**
   * A plain wheel scrolls the page the view sits in (the notebook): it is left alone, and
   * `onPlainWheel` may hint at the zoom. Ctrl/Cmd+wheel, and a trackpad pinch (which browsers
   * deliver as a wheel with ctrlKey), zoom around the pointer, as embedded maps do.
   * @param {WheelEvent} e
   */
  onWheel(e) {
    if (!isZoomWheel(e)) {
      this.onPlainWheel?.();
      return;
    }
    e.preventDefault();
    const box = this.viewport.getBoundingClientRect();
    this.set(zoomAt(this.transform, wheelZoomFactor(e), e.clientX - box.left, e.clientY - box.top));
  }

  /** @param {PointerEvent} e */
  onPointerDown(e) {
    this.suppressClick = false;
    if (
      e.button !== 0 ||
      (e.target instanceof Element && e.target.closest("input, select, button, [data-field]"))
    ) {
      return;
    }
    this.drag = {
      pointerId: e.pointerId,
      startX: e.clientX,
      startY: e.clientY,
      from: this.transform,
      moved: false,
    };
  }

  /** @param {PointerEvent} e */
  onPointerMove(e) {
    const d = this.drag;
    if (!d || d.pointerId !== e.pointerId) return;
    const dx = e.clientX - d.startX;
    const dy = e.clientY - d.startY;
    if (!d.moved) {
      if (Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
      d.moved = true;
      this.viewport.setPointerCapture?.(e.pointerId);
      this.viewport.classList.add("kpt-panning");
    }
    this.set({ k: d.from.k, x: d.from.x + dx, y: d.from.y + dy });
  }

  endDrag() {
    if (this.drag?.moved) this.suppressClick = true;
    this.drag = null;
    this.viewport.classList.remove("kpt-panning");
  }

  /** @param {MouseEvent} e */
  swallowClickAfterDrag(e) {
    if (!this.suppressClick) return;
    this.suppressClick = false;
    e.stopPropagation();
    e.preventDefault();
  }
}
