// Pan and zoom arithmetic. A transform maps content coordinates to viewport pixels:
// screen = content * k + (x, y).

/**
 * @typedef {{x: number, y: number, k: number}} Transform
 * @typedef {{width: number, height: number}} Size
 * @typedef {{x: number, y: number, width: number, height: number}} Rect
 */

export const MIN_SCALE = 0.05;
const MAX_SCALE = 2.5;

/**
 * @param {number} k
 * @param {number} [min]
 * @param {number} [max]
 */
function clampScale(k, min = MIN_SCALE, max = MAX_SCALE) {
  return Math.min(max, Math.max(min, k));
}

/**
 * The transform that shows all of `content` centred in `view`, never enlarging past
 * `maxScale` nor shrinking below `minScale` (then the centre of the content shows).
 * @param {Size} view
 * @param {Size} content
 * @param {{padding?: number, minScale?: number, maxScale?: number}} [options]
 * @returns {Transform}
 */
export function fitTransform(
  view,
  content,
  { padding = 16, minScale = MIN_SCALE, maxScale = 1 } = {},
) {
  const w = Math.max(1, view.width - 2 * padding);
  const h = Math.max(1, view.height - 2 * padding);
  const cw = Math.max(1, content.width);
  const ch = Math.max(1, content.height);
  const k = clampScale(Math.min(w / cw, h / ch), minScale, maxScale);
  return { k, x: (view.width - cw * k) / 2, y: (view.height - ch * k) / 2 };
}

/**
 * Zoom by `factor` keeping the viewport point (px, py) fixed.
 * @param {Transform} t
 * @param {number} factor
 * @param {number} px
 * @param {number} py
 * @returns {Transform}
 */
export function zoomAt(t, factor, px, py) {
  const k = clampScale(t.k * factor);
  const f = k / t.k;
  return { k, x: px - (px - t.x) * f, y: py - (py - t.y) * f };
}

/**
 * Translate so that the content point (cx, cy) sits at the centre of the viewport.
 * @param {Transform} t
 * @param {Size} view
 * @param {number} cx
 * @param {number} cy
 * @returns {Transform}
 */
export function centerOn(t, view, cx, cy) {
  return { k: t.k, x: view.width / 2 - cx * t.k, y: view.height / 2 - cy * t.k };
}

/**
 * The content rectangle visible in the viewport, grown by `margin` viewport pixels.
 * @param {Transform} t
 * @param {Size} view
 * @param {number} [margin]
 * @returns {Rect}
 */
export function visibleRect(t, view, margin = 0) {
  return {
    x: (-margin - t.x) / t.k,
    y: (-margin - t.y) / t.k,
    width: (view.width + 2 * margin) / t.k,
    height: (view.height + 2 * margin) / t.k,
  };
}

/**
 * Whether two rectangles overlap.
 * @param {Rect} a
 * @param {Rect} b
 */
export function intersects(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Whether rectangle `inner` lies wholly inside `outer`.
 * @param {Rect} outer
 * @param {Rect} inner
 */
export function contains(outer, inner) {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}
