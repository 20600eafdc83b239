// The tree's structure as the view needs it: lookups, visible order, collapse defaults.

/**
 * @typedef {import("./types.js").Metric} Metric
 * @typedef {import("./types.js").TreeData} TreeData
 */

/**
 * @typedef {object} TreeIndex
 * @property {Map<string, Metric>} byId
 * @property {string[]} roots          the tree's root first, then metrics outside the formula tree
 * @property {Map<string, string[]>} kids   drawn children of each metric, formula order
 * @property {Map<string, string>} parentOf
 * @property {Map<string, number>} depth
 * @property {Map<string, number>} size     number of descendants
 * @property {string[]} order          every metric, depth-first from the roots
 */

/**
 * Index the protocol's metric list. Each metric is drawn once, under its `parent` (which may be
 * the metric it drives through a hypothesis); a metric listed as a child by another formula too,
 * a cycle or a dangling reference never breaks the view.
 * @param {TreeData} data
 * @returns {TreeIndex}
 */
export function indexTree(data) {
  /** @type {Map<string, Metric>} */
  const byId = new Map();
  for (const m of data.metrics ?? []) if (!byId.has(m.id)) byId.set(m.id, m);

  /** @type {Map<string, string>} */
  const parentOf = new Map();
  /** @type {Map<string, string[]>} */
  const kids = new Map();
  for (const m of byId.values()) kids.set(m.id, []);
  for (const m of byId.values()) {
    for (const c of m.children ?? []) {
      if (byId.get(c)?.parent === m.id && !parentOf.has(c)) attach(kids, parentOf, m.id, c);
    }
  }
  for (const m of byId.values()) {
    if (m.parent && byId.has(m.parent) && !parentOf.has(m.id) && m.parent !== m.id) {
      attach(kids, parentOf, m.parent, m.id);
    }
  }

  const first = byId.has(data.root) ? data.root : byId.keys().next().value;
  const candidates = [first, ...[...byId.keys()].filter((id) => !parentOf.has(id))];
  /** @type {string[]} */
  const roots = [];
  /** @type {string[]} */
  const order = [];
  /** @type {Map<string, number>} */
  const depth = new Map();
  /** @type {Map<string, number>} */
  const size = new Map();
  const walkFrom = (/** @type {string | undefined} */ id) => {
    if (id === undefined || depth.has(id)) return;
    roots.push(id);
    walk(id, kids, order, depth, size);
  };
  candidates.forEach(walkFrom);
  [...byId.keys()].forEach(walkFrom); // members of a parent cycle
  for (const r of roots) parentOf.delete(r);
  return { byId, roots, kids, parentOf, depth, size, order };
}

/**
 * @param {Map<string, string[]>} kids
 * @param {Map<string, string>} parentOf
 * @param {string} parent
 * @param {string} child
 */
function attach(kids, parentOf, parent, child) {
  kids.get(parent)?.push(child);
  parentOf.set(child, parent);
}

/**
 * Depth-first walk (iterative: deep trees must not overflow the stack) recording order,
 * depth and subtree sizes. Nodes already seen are skipped and dropped from `kids`.
 * @param {string} root
 * @param {Map<string, string[]>} kids
 * @param {string[]} order
 * @param {Map<string, number>} depth
 * @param {Map<string, number>} size
 */
function walk(root, kids, order, depth, size) {
  const start = order.length;
  /** @type {[string, number][]} */
  const stack = [[root, 0]];
  while (stack.length) {
    const [id, d] = /** @type {[string, number]} */ (stack.pop());
    depth.set(id, d);
    order.push(id);
    const fresh = (kids.get(id) ?? []).filter((c) => !depth.has(c));
    kids.set(id, fresh);
    for (let i = fresh.length - 1; i >= 0; i--) stack.push([fresh[i], d + 1]);
  }
  for (let i = order.length - 1; i >= start; i--) {
    const id = order[i];
    size.set(
      id,
      (kids.get(id) ?? []).reduce((n, c) => n + 1 + (size.get(c) ?? 0), 0),
    );
  }
}

/** Trees up to this many metrics open fully expanded and fitted to the view. */
export const SMALL_TREE = 50;

/**
 * Subtrees closed when a tree first opens: none for small trees, else every metric with
 * children at `openDepth` or deeper (levels 0..openDepth stay visible).
 * @param {TreeIndex} index
 * @param {{smallTree?: number, openDepth?: number}} [options]
 * @returns {Set<string>}
 */
export function initialCollapsed(index, { smallTree = SMALL_TREE, openDepth = 2 } = {}) {
  if (index.byId.size <= smallTree) return new Set();
  return new Set(
    index.order.filter((id) => (index.depth.get(id) ?? 0) >= openDepth && hasKids(index, id)),
  );
}

/**
 * @param {TreeIndex} index
 * @param {string} id
 */
export function hasKids(index, id) {
  return (index.kids.get(id)?.length ?? 0) > 0;
}

/**
 * Ancestors of a metric, nearest first.
 * @param {TreeIndex} index
 * @param {string} id
 */
export function ancestors(index, id) {
  const out = [];
  for (let p = index.parentOf.get(id); p !== undefined; p = index.parentOf.get(p)) out.push(p);
  return out;
}

/**
 * Input metrics that feed `id` through formulas (the levers a target can be solved for),
 * depth-first in formula order.
 * @param {TreeIndex} index
 * @param {string} id
 * @returns {string[]}
 */
export function inputDescendants(index, id) {
  const seen = new Set([id]);
  const out = [];
  const stack = [...(index.byId.get(id)?.children ?? [])].reverse();
  while (stack.length) {
    const c = /** @type {string} */ (stack.pop());
    const m = index.byId.get(c);
    if (!m || seen.has(c)) continue;
    seen.add(c);
    if (m.is_input) out.push(c);
    else stack.push(...[...m.children].reverse());
  }
  return out;
}

/**
 * Metrics drawn with `collapsed` subtrees closed, depth-first: the order Tab walks.
 * @param {TreeIndex} index
 * @param {Set<string>} collapsed
 */
export function visibleOrder(index, collapsed) {
  const out = [];
  const stack = [...index.roots].reverse();
  while (stack.length) {
    const id = /** @type {string} */ (stack.pop());
    out.push(id);
    if (!collapsed.has(id)) stack.push(...[...(index.kids.get(id) ?? [])].reverse());
  }
  return out;
}
