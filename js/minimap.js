// The overview of a big tree (a minimap): every drawn card as a small box in its status colour,
// the part the view shows as a frame; a click or a drag there centres the view on that place.

import { statusClass, toStatus } from "./colors.js";
import { h, setAttr, svg } from "./dom.js";
import { CARD_H, CARD_W } from "./layout.js";
import { visibleRect } from "./viewport.js";

/**
 * @typedef {import("./layout.js").Layout} Layout
 * @typedef {import("./types.js").Metric} Metric
 * @typedef {import("./viewport.js").Transform} Transform
 * @typedef {import("./viewport.js").Size} Size
 * @typedef {import("./viewport.js").Rect} Rect
 */

/** Trees with more metrics than this get the overview. */
export const MINIMAP_ABOVE = 50;
/** The overview's largest size (px); it keeps the tree's proportions inside it. */
export const MINIMAP_MAX = { width: 180, height: 120 };
/** A card is never drawn smaller than this (px) in the overview, so every one shows. */
const MIN_BOX = 1.5;

/** The overview is never narrower than this (px): a tall tree's stays wide enough to aim at. */
export const MINIMAP_MIN_WIDTH = 56;

/**
 * The overview's scales (overview px per content px, across and down) and size for content of
 * `size`: the tree's proportions inside `max`, except that a tall, narrow tree is stretched
 * across to at least MINIMAP_MIN_WIDTH.
 * @param {Size} size
 * @param {Size} [max]
 * @returns {{sx: number, sy: number, width: number, height: number}}
 * @example minimapSize({width: 1800, height: 600}) // {sx: 0.1, sy: 0.1, width: 180, height: 60}
 */
export function minimapSize(size, max = MINIMAP_MAX) {
  const w = Math.max(1, size.width);
  const hgt = Math.max(1, size.height);
  const sy = Math.min(max.width / w, max.height / hgt);
  const sx = Math.min(max.width / w, Math.max(sy, MINIMAP_MIN_WIDTH / w));
  return { sx, sy, width: Math.ceil(w * sx), height: Math.ceil(hgt * sy) };
}

/**
 * The frame of what the view shows, in overview pixels, cut to the overview.
 * @param {Transform} t
 * @param {Size} view
 * @param {{sx: number, sy: number}} s   the overview's scales
 * @param {Size} box   the overview's size
 * @returns {Rect}
 */
export function viewFrame(t, view, { sx, sy }, box) {
  const r = visibleRect(t, view);
  const x0 = Math.max(0, Math.min(box.width, r.x * sx));
  const y0 = Math.max(0, Math.min(box.height, r.y * sy));
  const x1 = Math.max(0, Math.min(box.width, (r.x + r.width) * sx));
  const y1 = Math.max(0, Math.min(box.height, (r.y + r.height) * sy));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export class Minimap {
  /**
   * @param {(cx: number, cy: number) => void} onJump  centre the view on content point (cx, cy)
   */
  constructor(onJump) {
    this.onJump = onJump;
    this.s = { sx: 1, sy: 1 };
    this.selected = "";
    this.size = { width: 0, height: 0 };
    /** @type {Map<string, SVGRectElement>} */
    this.rects = new Map();
    this.boxes = svg("g", { class: "kpt-minimap-boxes" });
    this.frame = svg("rect", { class: "kpt-minimap-frame", x: 0, y: 0, width: 0, height: 0 });
    this.svg = svg("svg", { class: "kpt-minimap-svg", "aria-hidden": "true" });
    this.svg.append(this.boxes, this.frame);
    this.el = h(
      "div",
      {
        className: "kpt-minimap",
        attrs: {
          "data-role": "minimap",
          title: "Overview: click or drag to move the view there",
        },
      },
      [this.svg],
    );
    this.el.hidden = true;
    /** @type {number | null} */
    this.dragging = null;
    this.el.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      e.stopPropagation();
      this.dragging = e.pointerId;
      this.el.setPointerCapture?.(e.pointerId);
      this.jump(e);
    });
    this.el.addEventListener("pointermove", (e) => {
      if (this.dragging === e.pointerId) this.jump(e);
    });
    const stop = () => {
      this.dragging = null;
    };
    this.el.addEventListener("pointerup", stop);
    this.el.addEventListener("pointercancel", stop);
  }

  /**
   * Draw the laid-out cards (hidden with `show` false).
   * @param {Layout} layout
   * @param {Map<string, Metric>} byId
   * @param {string} selected
   * @param {boolean} show
   */
  draw(layout, byId, selected, show) {
    this.el.hidden = !show;
    this.rects = new Map();
    if (!show) {
      this.boxes.replaceChildren();
      return;
    }
    const { sx, sy, width, height } = minimapSize(layout);
    this.s = { sx, sy };
    this.size = { width, height };
    this.el.style.width = `${width}px`;
    this.el.style.height = `${height}px`;
    setAttr(this.svg, "width", String(width));
    setAttr(this.svg, "height", String(height));
    setAttr(this.svg, "viewBox", `0 0 ${width} ${height}`);
    const w = Math.max(MIN_BOX, CARD_W * sx);
    const hgt = Math.max(MIN_BOX, CARD_H * sy);
    this.selected = selected;
    this.boxes.replaceChildren(
      ...layout.nodes.map((n) => {
        const rect = svg("rect", {
          class: this.boxClass(n.id, byId),
          "data-box": n.id,
          x: n.x * sx,
          y: n.y * sy,
          width: w,
          height: hgt,
        });
        this.rects.set(n.id, rect);
        return rect;
      }),
    );
  }

  /**
   * Recolour the boxes of metrics whose status may have changed.
   * @param {Iterable<string>} ids
   * @param {Map<string, Metric>} byId
   */
  recolor(ids, byId) {
    for (const id of ids) {
      const rect = this.rects.get(id);
      if (rect) setAttr(rect, "class", this.boxClass(id, byId));
    }
  }

  /**
   * @param {string} id
   * @param {Map<string, Metric>} byId
   */
  boxClass(id, byId) {
    const status = statusClass(toStatus(byId.get(id)?.status));
    return `kpt-minimap-box ${status}${id === this.selected ? " kpt-minimap-selected" : ""}`;
  }

  /**
   * Move the frame to what the view shows.
   * @param {Transform} t
   * @param {Size} view
   */
  moveFrame(t, view) {
    if (this.el.hidden) return;
    const f = viewFrame(t, view, this.s, this.size);
    setAttr(this.frame, "x", f.x.toFixed(1));
    setAttr(this.frame, "y", f.y.toFixed(1));
    setAttr(this.frame, "width", f.width.toFixed(1));
    setAttr(this.frame, "height", f.height.toFixed(1));
  }

  /** @param {PointerEvent} e */
  jump(e) {
    const box = this.svg.getBoundingClientRect();
    const px = Math.max(0, Math.min(this.size.width, e.clientX - box.left));
    const py = Math.max(0, Math.min(this.size.height, e.clientY - box.top));
    this.onJump(px / this.s.sx, py / this.s.sy);
  }
}
