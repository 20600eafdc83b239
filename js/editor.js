// The in-place editor of a card's value or target, and the edit sent but not yet answered.
// UI-only state of one view (never synced): what is typed stays here until it is sent.

import { h } from "./dom.js";
import { editText, keyAction, neighbour, shouldSend } from "./editing.js";

/**
 * @typedef {import("./types.js").EditField} EditField
 * @typedef {import("./types.js").Metric} Metric
 *
 * @typedef {object} OpenEditor
 * @property {string} metric
 * @property {EditField} field
 * @property {HTMLInputElement} input
 * @property {string} original
 *
 * @typedef {{metric: string, field: EditField, text: string}} Pending
 *
 * @typedef {object} EditorHost   what the editor needs of its view
 * @property {(id: string) => Metric | undefined} metric
 * @property {(id: string, field: EditField) => HTMLElement | undefined} field
 *   the field's element on its card, brought into view (undefined: not drawn)
 * @property {() => string[]} order   the drawn metrics, in Tab order
 * @property {(pending: Pending) => void} send   send an edit to Python
 * @property {() => void} opened    an editor opened (the cards are behind)
 * @property {() => void} changed   what the cards show changed: redraw them
 */

export class Editor {
  /** @param {EditorHost} host */
  constructor(host) {
    this.host = host;
    /** @type {OpenEditor | null} */
    this.current = null;
    /** @type {Pending | null} */
    this.pending = null;
  }

  /**
   * Open the editor of a value (inputs only) or a target.
   * @param {string} id
   * @param {EditField} field
   */
  open(id, field) {
    const metric = this.host.metric(id);
    if (!metric || (field === "value" && !metric.is_input)) return;
    if (this.current) {
      if (this.current.metric === id && this.current.field === field) return;
      this.commit();
    }
    const span = this.host.field(id, field);
    if (!span) return;
    const original = editText(metric[field], metric.unit);
    const input = h("input", {
      className: "kpt-input",
      attrs: {
        type: "text",
        "data-field": `${field}-input`,
        "aria-label": `${field === "target" ? "Target" : "Value"} of ${metric.name}`,
        autocomplete: "off",
        spellcheck: "false",
      },
    });
    input.value = original;
    span.hidden = true;
    span.after(input);
    this.current = { metric: id, field, input, original };
    this.host.opened();
    input.addEventListener("keydown", (e) => this.onKey(e));
    input.addEventListener("blur", () => this.commit());
    input.focus({ preventScroll: true });
    input.select();
  }

  /** @param {KeyboardEvent} e */
  onKey(e) {
    e.stopPropagation();
    const action = e.isComposing ? null : keyAction(e.key, e.shiftKey);
    const editor = this.current;
    if (!action || !editor) return;
    e.preventDefault();
    if (action === "cancel") {
      this.close(true);
      return;
    }
    this.commit(action === "commit");
    if (action === "next" || action === "previous") {
      const next = neighbour(this.host.order(), editor.metric, action === "next" ? 1 : -1);
      if (next) this.open(next, "target");
    }
  }

  /**
   * Close the editor and send its text when it changed (it is pending until answered).
   * @param {boolean} [refocus]  put the focus back on the field
   */
  commit(refocus = false) {
    const editor = this.current;
    if (!editor) return;
    const text = editor.input.value.trim();
    if (shouldSend(editor.original, text)) {
      this.pending = { metric: editor.metric, field: editor.field, text };
      this.host.send(this.pending);
    }
    this.close(refocus);
  }

  /** @param {boolean} [refocus] */
  close(refocus = false) {
    const editor = this.current;
    if (!editor) return;
    this.current = null; // first: removing the input fires blur
    const span = editor.input.previousElementSibling;
    editor.input.remove();
    if (span instanceof HTMLElement) {
      span.hidden = false;
      if (refocus) span.focus({ preventScroll: true });
    }
    this.host.changed();
  }

  /**
   * An edit is settled (answered, or superseded by new data): no longer pending.
   * @param {Pending | null} [which]  only this one (default: whichever is pending)
   * @returns {boolean} whether one was pending
   */
  settle(which) {
    if (!this.pending || (which && which !== this.pending)) return false;
    this.pending = null;
    return true;
  }
}
