// Geometry of the drawn tree: card positions, formula edges, relation junctions, hypothesis
// and guard links. Left to right: the root on the left, each level one column further right.

import { hierarchy, tree } from "d3-hierarchy";
import { edgeStyle } from "./colors.js";
import { hasKids } from "./tree.js";

/**
 * @typedef {import("./types.js").Hypothesis} Hypothesis
 * @typedef {import("./tree.js").TreeIndex} TreeIndex
 */

/**
 * Card size in content pixels. Fixed (a name takes at most two lines), so the layout knows it;
 * widget.js hands both to the CSS as --kpt-card-w / --kpt-card-h.
 */
export const CARD_W = 204;
export const CARD_H = 92;
/** Horizontal room between columns: the relation junction sits in it. */
export const GAP_X = 52;
/** Vertical room between sibling cards (cousins get a little more). */
export const GAP_Y = 12;
/** Distance from a parent's right edge to its junction's centre, and the junction's radius. */
const JUNCTION_DX = 21;
export const JUNCTION_R = 11;
const MARGIN = 16;
/** Where along a hypothesis link (0 = its driver, 1 = the metric it drives) its sign sits. */
const LABEL_T = 0.3;
const VIRTUAL_ROOT = "\u0000";

/**
 * @typedef {object} LayoutNode
 * @property {string} id
 * @property {number} x        left edge of the card
 * @property {number} y        top edge of the card
 * @property {number} depth
 * @property {boolean} hasKids
 * @property {boolean} collapsed
 * @property {number} hidden   descendants hidden by collapsing it
 *
 * @typedef {object} Junction
 * @property {string} id       the parent metric
 * @property {number} x
 * @property {number} y
 * @property {string} kind     relation kind (colors.edgeStyle)
 * @property {string} title    its tooltip: "formula: list_acv * (1 - discount_rate)"
 *
 * @typedef {object} Edge
 * @property {string} from
 * @property {string} to
 * @property {string} kind
 * @property {string} d        SVG path
 * @property {boolean} [shared] a link to an operand drawn under another parent
 *
 * @typedef {object} HypothesisLink
 * @property {string} from
 * @property {string} to
 * @property {string} sign
 * @property {string} note
 * @property {string} d
 * @property {number} labelX
 * @property {number} labelY
 *
 * @typedef {object} GuardLink
 * @property {string} from     the guard metric
 * @property {string} to       the metric it guards
 * @property {string} d
 *
 * @typedef {object} Layout
 * @property {LayoutNode[]} nodes    depth-first, the order Tab walks
 * @property {Map<string, LayoutNode>} byId
 * @property {Edge[]} edges
 * @property {Junction[]} junctions
 * @property {HypothesisLink[]} hypotheses
 * @property {GuardLink[]} guards   dotted links from each drawn guard to the metric it guards
 * @property {number} width
 * @property {number} height
 */

/**
 * Lay out the metrics of `index` with the `collapsed` subtrees closed.
 * @param {TreeIndex} index
 * @param {Set<string>} collapsed
 * @param {Hypothesis[]} [hypotheses]
 * @returns {Layout}
 */
export function layoutTree(index, collapsed, hypotheses = []) {
  const nodes = placeNodes(index, collapsed);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const { edges, junctions } = formulaEdges(index, nodes, byId);
  const links = hypothesisLinks(hypotheses, byId);
  const guards = guardLinks(index, nodes, byId);
  let width = 0;
  let height = 0;
  for (const n of nodes) {
    width = Math.max(width, n.x + CARD_W + MARGIN);
    height = Math.max(height, n.y + CARD_H + MARGIN);
  }
  for (const h of links) width = Math.max(width, h.labelX + MARGIN);
  return { nodes, byId, edges, junctions, hypotheses: links, guards, width, height };
}

/**
 * Tidy-tree positions (d3-hierarchy) under a virtual root that holds every real root, so
 * metrics outside the formula tree stack below it. Coordinates start at MARGIN.
 * @param {TreeIndex} index
 * @param {Set<string>} collapsed
 * @returns {LayoutNode[]}
 */
function placeNodes(index, collapsed) {
  const root = hierarchy(VIRTUAL_ROOT, (id) =>
    id === VIRTUAL_ROOT ? index.roots : collapsed.has(id) ? null : index.kids.get(id),
  );
  tree()
    .nodeSize([CARD_H + GAP_Y, CARD_W + GAP_X])
    .separation((a, b) => (a.parent === b.parent ? 1 : 1.15))(root);
  let top = Infinity;
  root.each((n) => {
    if (n.depth > 0) top = Math.min(top, n.x ?? 0);
  });
  /** @type {LayoutNode[]} */
  const nodes = [];
  root.eachBefore((n) => {
    if (n.depth === 0) return;
    const id = n.data;
    const parent = hasKids(index, id);
    const isCollapsed = parent && collapsed.has(id);
    nodes.push({
      id,
      x: MARGIN + (n.depth - 1) * (CARD_W + GAP_X),
      y: MARGIN + (n.x ?? 0) - top,
      depth: n.depth - 1,
      hasKids: parent,
      collapsed: isCollapsed,
      hidden: isCollapsed ? (index.size.get(id) ?? 0) : 0,
    });
  });
  return nodes;
}

/**
 * One junction per open parent (the relation symbol), a stem from the parent to it and a curve
 * from it to each formula operand (a `shared` curve to an operand drawn under another
 * parent, as an input used by two formulas is). Metrics placed under a parent without being an
 * operand (a hypothesis driver or a guard, `link: "hypothesis" | "guard"`) get no formula edge:
 * their dashed or dotted link shows.
 * @param {TreeIndex} index
 * @param {LayoutNode[]} nodes
 * @param {Map<string, LayoutNode>} byId
 */
function formulaEdges(index, nodes, byId) {
  /** @type {Edge[]} */
  const edges = [];
  /** @type {Junction[]} */
  const junctions = [];
  for (const p of nodes) {
    if (p.collapsed) continue; // (a shared operand can be a parent's only drawn link)
    const metric = index.byId.get(p.id);
    const operands = new Set(metric?.children ?? []);
    const kids = (index.kids.get(p.id) ?? []).filter((c) => operands.has(c));
    // operands drawn under another parent (an input two formulas share): linked from here too
    const shared = [...operands].filter((c) => !kids.includes(c) && byId.has(c) && c !== p.id);
    if (!kids.length && !shared.length) continue;
    const style = edgeStyle(metric?.relation);
    const kind = style.kind;
    const jx = p.x + CARD_W + JUNCTION_DX;
    const jy = p.y + CARD_H / 2;
    const title = metric?.formula ? `${style.label}: ${metric.formula}` : style.label;
    junctions.push({ id: p.id, x: jx, y: jy, kind, title });
    edges.push({ from: p.id, to: p.id, kind, d: `M${p.x + CARD_W},${jy}H${jx - JUNCTION_R}` });
    for (const cid of kids) {
      const c = byId.get(cid);
      if (!c) continue;
      const sx = jx + JUNCTION_R;
      const cy = c.y + CARD_H / 2;
      const mx = (sx + c.x) / 2;
      edges.push({
        from: p.id,
        to: cid,
        kind,
        d: `M${sx},${jy}C${mx},${jy} ${mx},${cy} ${c.x},${cy}`,
      });
    }
    for (const cid of shared) {
      const c = /** @type {LayoutNode} */ (byId.get(cid));
      const sx = jx + JUNCTION_R;
      const cy = c.y + CARD_H / 2;
      // to the card's left edge when it sits further right, else round to its right edge
      const ex = c.x > sx ? c.x : c.x + CARD_W;
      const bend = c.x > sx ? (sx + c.x) / 2 : Math.max(sx, ex) + GAP_X;
      edges.push({
        from: p.id,
        to: cid,
        kind,
        shared: true,
        d: `M${sx},${jy}C${bend},${jy} ${bend},${cy} ${ex},${cy}`,
      });
    }
  }
  return { edges, junctions };
}

/**
 * Dashed curves between drawn metrics for the hypothesis links (see `linkCurve`).
 * @param {Hypothesis[]} hypotheses
 * @param {Map<string, LayoutNode>} byId
 * @returns {HypothesisLink[]}
 */
function hypothesisLinks(hypotheses, byId) {
  /** @type {HypothesisLink[]} */
  const out = [];
  for (const h of hypotheses) {
    const a = byId.get(h.from);
    const b = byId.get(h.to);
    if (!a || !b || a === b) continue;
    const { xs, ay, by, d } = linkCurve(a, b);
    out.push({
      from: h.from,
      to: h.to,
      sign: h.sign ?? "",
      note: h.note ?? "",
      d,
      // the sign sits on the curve near its driver, so links that converge on one metric
      // keep their signs apart
      labelX: bezier(xs[0], xs[1], xs[2], xs[3], LABEL_T),
      labelY: bezier(ay, ay, by, by, LABEL_T),
    });
  }
  return out;
}

/**
 * The cubic between two cards that are not parent and operand (a hypothesis or a guard link):
 * to the next column it runs right edge to left edge (or left to right going back); within a
 * column it bulges out to the right.
 * @param {{x: number, y: number}} a  the card it starts from
 * @param {{x: number, y: number}} b  the card it ends at
 * @returns {{xs: number[], ay: number, by: number, d: string}}  x0..x3 of the cubic, the two
 *   ends' heights and the SVG path
 */
export function linkCurve(a, b) {
  const ay = a.y + CARD_H / 2;
  const by = b.y + CARD_H / 2;
  /** @type {number[]} */
  let xs;
  if (b.x > a.x) xs = [a.x + CARD_W, a.x + CARD_W + GAP_X, b.x - GAP_X, b.x];
  else if (b.x < a.x) xs = [a.x, a.x - GAP_X, b.x + CARD_W + GAP_X, b.x + CARD_W];
  else {
    const bulge = a.x + CARD_W + Math.min(GAP_X * 1.6, 40 + Math.abs(by - ay) / 4);
    xs = [a.x + CARD_W, bulge, bulge, b.x + CARD_W];
  }
  return { xs, ay, by, d: `M${xs[0]},${ay}C${xs[1]},${ay} ${xs[2]},${by} ${xs[3]},${by}` };
}

/**
 * Dotted links from each drawn guard metric (its `guards` names another metric) to the drawn
 * metric it keeps in check, in drawing order. A guard whose metric is not drawn (collapsed,
 * outside the focus) gets none.
 * @param {TreeIndex} index
 * @param {LayoutNode[]} nodes
 * @param {Map<string, LayoutNode>} byId
 * @returns {GuardLink[]}
 */
function guardLinks(index, nodes, byId) {
  /** @type {GuardLink[]} */
  const out = [];
  for (const g of nodes) {
    const guarded = index.byId.get(g.id)?.guards;
    const b = guarded ? byId.get(guarded) : undefined;
    if (!guarded || !b || b === g) continue;
    out.push({ from: g.id, to: guarded, d: linkCurve(g, b).d });
  }
  return out;
}

/**
 * A cubic Bézier's coordinate at `t`.
 * @param {number} p0
 * @param {number} p1
 * @param {number} p2
 * @param {number} p3
 * @param {number} t
 */
function bezier(p0, p1, p2, p3, t) {
  const u = 1 - t;
  return u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3;
}
