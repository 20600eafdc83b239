// What an edit or a solve changed: the metrics whose numbers moved (marked on their cards) and
// the note "lever: old -> new" the detail panel shows.

import { h } from "./dom.js";
import { formatNumber } from "./format.js";

/**
 * @typedef {import("./types.js").Metric} Metric
 * @typedef {"value" | "target"} NumberField
 * @typedef {{value: number | null, target: number | null}} Numbers2
 * @typedef {Map<string, NumberField[]>} Moved   metric id -> the fields whose number moved
 *
 * What the panel says about the last change.
 * @typedef {object} Change
 * @property {"edit" | "solve"} kind
 * @property {string} metric      the metric changed: the edited one, or the solve's lever
 * @property {NumberField} field
 * @property {number | null} before
 * @property {string | null} [solved]  the metric whose target a solve met
 */

/** @type {readonly NumberField[]} */
const FIELDS = ["value", "target"];

/**
 * The value and target of the metrics `ids` (those a numbers delta is about to replace).
 * @param {Map<string, Metric>} byId
 * @param {Iterable<string>} ids
 * @returns {Map<string, Numbers2>}
 */
export function numbersOf(byId, ids) {
  /** @type {Map<string, Numbers2>} */
  const out = new Map();
  for (const id of ids) {
    const m = byId.get(id);
    if (m) out.set(id, { value: m.value ?? null, target: m.target ?? null });
  }
  return out;
}

/**
 * Two numbers the same for a person: equal, or both missing (null or NaN).
 * @param {number | null | undefined} a
 * @param {number | null | undefined} b
 */
function same(a, b) {
  const missing = (/** @type {unknown} */ x) => typeof x !== "number" || Number.isNaN(x);
  return (missing(a) && missing(b)) || a === b;
}

/**
 * The metrics whose value or target differs from `before`, and which fields moved.
 * @param {Map<string, Numbers2>} before
 * @param {Map<string, Metric>} byId   the metrics as they are now
 * @returns {Moved}
 * @example movedFields(new Map([["arpc", {value: 1, target: 2}]]), byId) // Map {"arpc" => ["target"]}
 */
export function movedFields(before, byId) {
  /** @type {Moved} */
  const moved = new Map();
  for (const [id, old] of before) {
    const m = byId.get(id);
    if (!m) continue;
    const fields = FIELDS.filter((f) => !same(old[f], m[f]));
    if (fields.length) moved.set(id, fields);
  }
  return moved;
}

/**
 * Mark a card as changed by the last edit (`kpt-changed`, `data-changed="value target"`), or
 * clear the mark.
 * @param {HTMLElement} el
 * @param {NumberField[] | undefined} fields
 */
export function markChanged(el, fields) {
  el.classList.toggle("kpt-changed", !!fields);
  if (fields) {
    const text = fields.join(" ");
    if (el.getAttribute("data-changed") !== text) el.setAttribute("data-changed", text);
    if (!el.title) el.title = "Changed by the last edit";
  } else if (el.hasAttribute("data-changed")) {
    el.removeAttribute("data-changed");
    if (el.title === "Changed by the last edit") el.removeAttribute("title");
  }
}

/**
 * The note about the last change: "Website visitors: 60,000 → 63,000", what it was and how many
 * metrics moved (`data-role="change"`).
 * @param {Change} change
 * @param {Map<string, Metric>} byId
 * @param {number} moved   how many metrics' numbers moved
 * @param {(id: string) => void} onShow   bring the changed metric's card into sight
 * @returns {HTMLElement | null}  null when the metric is not drawn any more
 */
export function changeNote(change, byId, moved, onShow) {
  const m = byId.get(change.metric);
  if (!m) return null;
  const after = m[change.field] ?? null;
  const old = formatNumber(change.before, m.unit, "full");
  const now = formatNumber(after, m.unit, "full");
  const solved = change.solved ? byId.get(change.solved) : undefined;
  const what =
    change.kind === "solve"
      ? `lever's target, solved for ${solved?.name ?? change.solved ?? "the target"}`
      : change.field;
  const count = moved === 1 ? "1 metric moved" : `${moved} metrics moved`;
  const show = h("button", {
    className: "kpt-link kpt-change-show",
    text: "Show",
    attrs: { type: "button", title: `Bring ${m.name} into sight` },
  });
  show.addEventListener("click", () => onShow(change.metric));
  return h(
    "section",
    {
      className: "kpt-panel-section kpt-change",
      attrs: { "data-role": "change", "aria-live": "polite" },
    },
    [
      h("h4", {
        className: "kpt-panel-h",
        text: change.kind === "solve" ? "Solve changed" : "Last edit",
      }),
      h("div", { className: "kpt-change-line" }, [
        h("span", { text: `${m.name}: ${old} \u2192 ${now}` }),
        document.createTextNode(" "),
        show,
      ]),
      h("div", {
        className: "kpt-muted",
        text: same(change.before, after) ? `${what}: no change` : `${what} \u00b7 ${count}`,
      }),
    ],
  );
}

/**
 * Put the change note in the detail panel, under its header.
 * @param {HTMLElement} panel
 * @param {HTMLElement | null} note
 */
export function showChangeNote(panel, note) {
  panel.querySelector(":scope > [data-role='change']")?.remove();
  if (!note) return;
  const head = panel.firstElementChild;
  if (head) head.after(note);
  else panel.append(note);
}
