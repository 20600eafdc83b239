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
  }

  /**
   * Pan and zoom with the wheel and by dragging the viewport.
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

  /** @param {WheelEvent} e */
  onWheel(e) {
    e.preventDefault();
    const scale = e.deltaMode === 1 ? 0.05 : 0.0015;
    const box = this.viewport.getBoundingClientRect();
    this.set(
      zoomAt(
        this.transform,
        Math.exp(-e.deltaY * scale),
        e.clientX - box.left,
        e.clientY - box.top,
      ),
    );
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
