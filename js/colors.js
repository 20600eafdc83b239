// Status and relation styling: class names and CSS variables (defined in widget.css).

/** @typedef {import("./types.js").Status} Status */

/** @type {readonly Status[]} */
export const STATUSES = ["on_track", "at_risk", "off_track", "undefined", "missing"];

/** @type {Record<Status, string>} */
const STATUS_LABELS = {
  on_track: "On track",
  at_risk: "At risk",
  off_track: "Off track",
  undefined: "No target",
  missing: "Missing data",
};

/**
 * Normalise whatever Python sent to a known status.
 * @param {unknown} status
 * @returns {Status}
 */
export function toStatus(status) {
  return STATUSES.includes(/** @type {Status} */ (status))
    ? /** @type {Status} */ (status)
    : "undefined";
}

/**
 * CSS class carried by a card (and variance text) in this status: "kpt-status-on_track".
 * @param {unknown} status
 */
export function statusClass(status) {
  return `kpt-status-${toStatus(status)}`;
}

/**
 * CSS variable holding the status colour: "--kpt-on-track".
 * @param {unknown} status
 */
export function statusVar(status) {
  return `--kpt-${toStatus(status).replace("_", "-")}`;
}

/**
 * Human label of a status.
 * @param {unknown} status
 */
export function statusLabel(status) {
  return STATUS_LABELS[toStatus(status)];
}

/**
 * @typedef {object} EdgeStyle
 * @property {string} kind       sum | product | ratio | formula | hypothesis
 * @property {string} className  "kpt-edge kpt-edge-<kind>"
 * @property {string} symbol     drawn at the parent's junction ("" for hypothesis links)
 * @property {string} label      words for the tooltip and the detail panel
 * @property {boolean} dashed
 */

/** @type {Record<string, Omit<EdgeStyle, "kind" | "className">>} */
const EDGE_STYLES = {
  sum: { symbol: "\u03a3", label: "sum", dashed: false },
  product: { symbol: "\u00d7", label: "product", dashed: false },
  ratio: { symbol: "\u00f7", label: "ratio", dashed: false },
  formula: { symbol: "f", label: "formula", dashed: false },
  hypothesis: { symbol: "", label: "hypothesis", dashed: true },
};

/**
 * Edge style of a relation; unknown or null relations draw as a generic formula.
 * @param {string | null | undefined} relation
 * @returns {EdgeStyle}
 */
export function edgeStyle(relation) {
  const kind = relation && Object.hasOwn(EDGE_STYLES, relation) ? relation : "formula";
  return { kind, className: `kpt-edge kpt-edge-${kind}`, ...EDGE_STYLES[kind] };
}
