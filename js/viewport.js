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
 * The automatic fit: all of `content` inside `area` (the part of the viewport nothing covers)
 * at a scale between `minScale` and 1. Where the content is too big for that at `minScale`, the
 * person pans: horizontally the root's column shows at the left; vertically the content stays
 * centred unless that would cut the root card, which is then centred instead.
 * @param {Rect} area       viewport pixels
 * @param {Size} content
 * @param {Rect | null} root  the root card, content pixels
 * @param {{padding?: number, minScale?: number}} [options]
 * @returns {Transform}
 */
export function autoFit(area, content, root, { padding = 16, minScale = MIN_SCALE } = {}) {
  const t = fitTransform(area, content, { padding, minScale });
  t.x += area.x;
  t.y += area.y;
  if (!root) return t;
  if (content.width * t.k > area.width - 2 * padding) t.x = area.x + padding - root.x * t.k;
  const top = root.y * t.k + t.y;
  const bottom = (root.y + root.height) * t.k + t.y;
  if (top < area.y + padding || bottom > area.y + area.height - padding) {
    t.y = area.y + area.height / 2 - (root.y + root.height / 2) * t.k;
  }
  return t;
}

/**
 * The smallest scale the Fit button goes to: cards stay readable (13 px names drawn at 8 px).
 * A tree too big for it is shown in part (its top levels, or the selection) and the person pans.
 */
export const READABLE_SCALE = 0.6;

/**
 * @typedef {object} BoxFit
 * @property {Transform} transform
 * @property {boolean} whole    all of the box shows (else the scale is `minScale` and the
 *                              anchor leads)
 * @property {number} needed    the scale that would show all of it
 */

/**
 * Fit content rectangle `box` into `area` (viewport pixels) at a scale between `minScale` and
 * `maxScale`. A box that needs less than `minScale` keeps `minScale` and shows part of it, led by
 * the `anchor` card: along an axis where the box is too big, the anchor's column starts at the
 * left and the anchor is centred vertically.
 * @param {Rect} area
 * @param {Rect} box       content pixels
 * @param {Rect} anchor    content pixels: the card that must show
 * @param {{padding?: number, minScale?: number, maxScale?: number}} [options]
 * @returns {BoxFit}
 */
export function fitBox(
  area,
  box,
  anchor,
  { padding = 16, minScale = READABLE_SCALE, maxScale = 1 } = {},
) {
  const w = Math.max(1, area.width - 2 * padding);
  const h = Math.max(1, area.height - 2 * padding);
  const bw = Math.max(1, box.width);
  const bh = Math.max(1, box.height);
  const needed = Math.min(w / bw, h / bh);
  const k = clampScale(needed, minScale, maxScale);
  let x = area.x + (area.width - bw * k) / 2 - box.x * k;
  let y = area.y + (area.height - bh * k) / 2 - box.y * k;
  if (bw * k > w + 1e-9) x = area.x + padding - anchor.x * k;
  if (bh * k > h + 1e-9) y = area.y + area.height / 2 - (anchor.y + anchor.height / 2) * k;
  return { transform: { k, x, y }, whole: needed >= minScale, needed };
}

/**
 * Centre content point (cx, cy) in `area` (viewport pixels), at scale `k`.
 * @param {Rect} area
 * @param {number} cx
 * @param {number} cy
 * @param {number} k
 * @returns {Transform}
 */
export function centerIn(area, cx, cy, k) {
  return { k, x: area.x + area.width / 2 - cx * k, y: area.y + area.height / 2 - cy * k };
}

/**
 * The smallest pan that brings content rectangle `box` wholly inside `area` (viewport pixels,
 * less `margin` on each side); the scale never changes. A box bigger than the area shows its
 * top left corner.
 * @param {Transform} t
 * @param {Rect} area
 * @param {Rect} box
 * @param {number} [margin]
 * @returns {Transform}
 */
export function panIntoView(t, area, box, margin = 8) {
  /**
   * @param {number} start   screen position of the box's start
   * @param {number} size    its screen size
   * @param {number} lo      the area's start
   * @param {number} hi      the area's end
   */
  const shift = (start, size, lo, hi) => {
    if (start < lo + margin || size > hi - lo - 2 * margin) return lo + margin - start;
    if (start + size > hi - margin) return hi - margin - (start + size);
    return 0;
  };
  const dx = shift(box.x * t.k + t.x, box.width * t.k, area.x, area.x + area.width);
  const dy = shift(box.y * t.k + t.y, box.height * t.k, area.y, area.y + area.height);
  return dx || dy ? { k: t.k, x: t.x + dx, y: t.y + dy } : t;
}

/**
 * The widget's height (px) that shows `content` whole at the scale the automatic fit uses
 * for a view `width` pixels wide, within [min, max]: short trees get a short widget, tall ones
 * up to `max` (then the person pans).
 * @param {Size} content
 * @param {number} width      the viewport's width
 * @param {{chrome: number, padding?: number, minScale?: number, min?: number, max?: number}} options
 *   chrome: the widget's height around the viewport (toolbar, borders)
 * @returns {number}
 */
export function autoHeight(
  content,
  width,
  { chrome, padding = 16, minScale = MIN_SCALE, min = 320, max = 720 },
) {
  const k = clampScale((width - 2 * padding) / Math.max(1, content.width), minScale, 1);
  const want = Math.ceil(content.height * k + 2 * padding + chrome);
  return Math.min(max, Math.max(min, want));
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
