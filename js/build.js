// Building the tree in the view, the pure part: which fields the panel edits, the names a typed
// formula would have to create, what a remove asks of Python, and the history shortcuts.

/**
 * @typedef {import("./types.js").Metric} Metric
 * @typedef {import("./types.js").UpdateField} UpdateField
 * @typedef {import("./types.js").RemoveRequest} RemoveRequest
 *
 * One editable field of the detail panel.
 * @typedef {object} FieldSpec
 * @property {UpdateField | "formula"} field   the metric field it edits
 * @property {string} label
 * @property {"text" | "select"} control
 * @property {[string, string][]} [options]    a select's value, label
 * @property {string} [placeholder]
 */

/** @type {readonly FieldSpec[]} */
export const PANEL_FIELDS = [
  { field: "name", label: "Name", control: "text" },
  {
    field: "formula",
    label: "Formula",
    control: "text",
    placeholder: "input (no formula), or e.g. customers * arpc",
  },
  { field: "owner", label: "Owner", control: "text", placeholder: "one person or role" },
  {
    field: "unit",
    label: "Unit",
    control: "text",
    placeholder: "currency, percent, count, days, ratio",
  },
  {
    field: "direction",
    label: "Better",
    control: "select",
    options: [
      ["", "\u2014"],
      ["up", "higher"],
      ["down", "lower"],
    ],
  },
  { field: "description", label: "Description", control: "text" },
];

/** The units people pick from (free text is allowed too). */
export const UNITS = ["currency", "percent", "count", "days", "ratio"];

/** The functions a formula may call: never names of metrics. */
const FUNCTIONS = new Set(["min", "max", "abs"]);
/** Words of the formula language (the conditional and its tests). */
const KEYWORDS = new Set(["if", "else", "and", "or", "not", "True", "False"]);

/**
 * The text a panel field opens with.
 * @param {Metric} m
 * @param {UpdateField | "formula"} field
 */
export function fieldText(m, field) {
  const value = m[field];
  if (field === "name" && value === m.id) return m.id;
  return typeof value === "string" ? value : "";
}

/**
 * The names a formula uses that are no metric of the tree, in the order they first appear
 * (what "create them as inputs" would add). Numbers, function names and keywords are not names.
 * @param {string} formula
 * @param {{has(id: string): boolean}} known
 * @returns {string[]}
 */
export function unknownNames(formula, known) {
  /** @type {string[]} */
  const out = [];
  // a name not preceded by a digit or a dot (1e5, 2.5 are numbers)
  for (const match of formula.matchAll(/(?<![\w.])[A-Za-z_]\w*/g)) {
    const name = match[0];
    const after = formula.slice((match.index ?? 0) + name.length).trimStart();
    if (FUNCTIONS.has(name) && after.startsWith("(")) continue;
    if (KEYWORDS.has(name) || known.has(name) || out.includes(name)) continue;
    out.push(name);
  }
  return out;
}

/**
 * What removing a metric asks of Python: a formula child comes out of its parent's formula
 * first (`remove_driver`); anything else is removed on its own (`remove_metric`).
 * @param {Metric} m
 * @param {boolean} [subtree]  also the inputs below it that nothing else uses
 * @returns {RemoveRequest}
 */
export function removeRequest(m, subtree = false) {
  return m.link === "formula" && m.parent
    ? { metric: m.id, parent: m.parent, subtree }
    : { metric: m.id, parent: null, subtree };
}

/**
 * The history step a key asks for: Ctrl/Cmd+Z undoes, Shift+Ctrl/Cmd+Z (or Ctrl+Y) redoes.
 * @param {{key: string, ctrlKey: boolean, metaKey: boolean, shiftKey: boolean, altKey?: boolean}} e
 * @returns {"undo" | "redo" | null}
 */
export function historyKey(e) {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const key = e.key.toLowerCase();
  if (key === "z") return e.shiftKey ? "redo" : "undo";
  if (key === "y" && !e.shiftKey) return "redo";
  return null;
}

/**
 * "revenue.yaml" from "/home/me/trees/revenue.yaml" (what the Save button names).
 * @param {string} path
 */
export function fileName(path) {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/**
 * The metrics a hypothesis from `source` may point at: every other metric not already linked
 * from it, by name.
 * @param {Metric[]} metrics
 * @param {string} source
 * @param {{from: string, to: string}[]} hypotheses
 * @returns {Metric[]}
 */
export function hypothesisTargets(metrics, source, hypotheses) {
  const linked = new Set(hypotheses.filter((x) => x.from === source).map((x) => x.to));
  return metrics
    .filter((m) => m.id !== source && !linked.has(m.id))
    .sort((a, b) => a.name.localeCompare(b.name));
}
