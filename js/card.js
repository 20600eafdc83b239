// A node card: built once per metric, then updated in place.

import { statusClass, statusLabel, toStatus } from "./colors.js";
import { h, setAttr, setText } from "./dom.js";
import {
  formatCardValue,
  formatChange,
  formatValue,
  formatVariance,
  formatVariancePct,
  isNumber,
  rawAttr,
  textEms,
} from "./format.js";

/**
 * @typedef {import("./types.js").Metric} Metric
 * @typedef {import("./types.js").EditField} EditField
 * @typedef {import("./layout.js").LayoutNode} LayoutNode
 */

/**
 * What a card shows besides its metric.
 * @typedef {object} CardState
 * @property {LayoutNode} node
 * @property {boolean} selected
 * @property {EditField | null} editing            the field whose editor is open
 * @property {{field: EditField, text: string} | null} pending   an edit sent, not yet answered
 * @property {{field: string | null, message: string} | null} error   a rejected edit
 */

/** @type {Record<string, string>} */
const UNIT_BADGES = { currency: "$", percent: "%", count: "#", days: "days", ratio: "x" };

/** What a context card's title says before its status. */
const CONTEXT_TITLE = "Context: shown to connect the focus to the root";

/** @type {readonly EditField[]} */
const FIELDS = ["value", "target"];

let errorIds = 0;

export class Card {
  /** @param {string} id */
  constructor(id) {
    this.id = id;
    this.name = h("span", { className: "kpt-name" });
    this.toggle = h("button", { className: "kpt-toggle", attrs: { type: "button" } });
    this.add = h("button", {
      className: "kpt-add",
      text: "+",
      attrs: { type: "button", "data-action": "add-driver" },
    });
    this.flags = h("span", { className: "kpt-flags", attrs: { "data-role": "findings" } });
    this.fields = {
      value: fieldSpan("value"),
      target: fieldSpan("target"),
    };
    this.cells = {
      value: cell("Value", this.fields.value),
      target: cell("Target", this.fields.target),
    };
    this.variance = h("span", { className: "kpt-var" });
    this.owner = h("span", { className: "kpt-owner" });
    this.gap = h("span", { className: "kpt-gap" });
    this.change = h("span", { className: "kpt-change", attrs: { "data-field": "change" } });
    this.unit = h("span", { className: "kpt-unit" });
    /** @type {HTMLElement | null} */
    this.errorEl = null;
    this.errorKey = "";
    this.foot = h("div", { className: "kpt-card-foot" }, [
      this.owner,
      this.change,
      this.gap,
      this.flags,
      this.unit,
      this.add,
    ]);
    this.el = h("div", { className: "kpt-card", attrs: { "data-metric": id } }, [
      h("div", { className: "kpt-card-head" }, [this.name, this.toggle]),
      h("div", { className: "kpt-card-nums" }, [
        this.cells.value,
        this.cells.target,
        cell("Var.", this.variance),
      ]),
      this.foot,
    ]);
  }

  /**
   * @param {number} x
   * @param {number} y
   */
  place(x, y) {
    const left = `${x}px`;
    const top = `${y}px`;
    if (this.el.style.left !== left) this.el.style.left = left;
    if (this.el.style.top !== top) this.el.style.top = top;
  }

  /**
   * @param {Metric} m
   * @param {CardState} state
   */
  update(m, state) {
    const status = toStatus(m.status);
    this.el.className = [
      "kpt-card",
      statusClass(status),
      state.selected ? "kpt-selected" : "",
      m.is_input ? "kpt-input-metric" : "",
      m.context ? "kpt-context" : "",
      state.error ? "kpt-has-error" : "",
    ]
      .filter(Boolean)
      .join(" ");
    setAttr(this.el, "data-status", status);
    // a context card is drawn muted, without its status colour: the status stays in words
    if (m.context) setAttr(this.el, "title", `${CONTEXT_TITLE} \u00b7 ${statusLabel(status)}`);
    else this.el.removeAttribute("title");
    setText(this.name, m.name);
    // the whole name (the card shows at most two lines of it) and the id, as plain text
    const title = m.name === m.id ? m.name : `${m.name} (${m.id})`;
    if (this.name.title !== title) this.name.title = title;
    this.updateToggle(state.node);
    for (const field of FIELDS) {
      if (state.editing !== field) this.updateField(m, field, state.pending);
    }
    this.updateVariance(m, status);
    setText(this.owner, m.owner ?? "");
    this.updateGap(m);
    this.updateChange(m);
    this.updateFlags(m);
    const addTitle = `Add a driver of ${m.name}`;
    if (this.add.title !== addTitle) {
      this.add.title = addTitle;
      this.add.setAttribute("aria-label", addTitle);
    }
    setText(this.unit, m.unit ? (UNIT_BADGES[m.unit] ?? m.unit) : "");
    setAttr(this.unit, "title", m.unit ?? "");
    this.showError(state.error);
  }

  /** @param {LayoutNode} node */
  updateToggle(node) {
    this.toggle.hidden = !node.hasKids;
    setText(this.toggle, node.collapsed ? `+${node.hidden}` : "\u2212");
    setAttr(this.toggle, "aria-expanded", String(!node.collapsed));
    setAttr(
      this.toggle,
      "aria-label",
      node.collapsed ? `Expand (${node.hidden} hidden)` : "Collapse",
    );
  }

  /**
   * @param {Metric} m
   * @param {EditField} field
   * @param {CardState["pending"]} pending
   */
  updateField(m, field, pending) {
    const span = this.fields[field];
    const editable = field === "target" || m.is_input;
    const waiting = pending?.field === field;
    const text = waiting ? pending.text : cardText(m, field);
    setText(span, text);
    span.style.setProperty("--kpt-ems", String(textEms(text))); // the font fits the text (CSS)
    setAttr(span, "data-raw", rawAttr(m[field]));
    span.className = ["kpt-field", editable ? "kpt-editable" : "", waiting ? "kpt-pending" : ""]
      .filter(Boolean)
      .join(" ");
    if (editable) {
      setAttr(span, "tabindex", "0");
      setAttr(span, "role", "button");
      setAttr(span, "title", `Edit the ${field} of ${m.name}`);
    } else {
      for (const name of ["tabindex", "role", "title"]) span.removeAttribute(name);
    }
  }

  /**
   * @param {Metric} m
   * @param {import("./types.js").Status} status
   */
  updateVariance(m, status) {
    const pct = m.text?.variance_pct ?? formatVariancePct(m.variance_pct);
    const abs = m.text?.variance ?? formatVariance(m.variance, m.unit);
    setText(this.variance, isNumber(m.variance_pct) ? pct : abs);
    setAttr(this.variance, "title", `${statusLabel(status)}: ${abs} (${pct}) against target`);
  }

  /**
   * The value's change since the period before: hidden in the first period and where a value
   * is missing.
   * @param {Metric} m
   */
  updateChange(m) {
    const change = m.change ?? null;
    const show = isNumber(change);
    this.change.hidden = !show;
    setAttr(this.change, "data-raw", rawAttr(change));
    if (!show) return;
    const text = m.text?.change || formatChange(100 * /** @type {number} */ (change));
    setText(this.change, text);
    const way = change > 0 ? "kpt-up" : change < 0 ? "kpt-down" : "";
    this.change.className = ["kpt-change", way].filter(Boolean).join(" ");
    setAttr(this.change, "title", `${text} since the period before`);
  }

  /** @param {Metric} m */
  updateGap(m) {
    const show =
      m.explicit_target && !m.is_input && isNumber(m.target) && isNumber(m.implied_target);
    this.gap.hidden = !show;
    if (!show) return;
    const gap = /** @type {number} */ (m.target) - /** @type {number} */ (m.implied_target);
    setText(this.gap, `gap ${formatVariance(gap, m.unit)}`);
    setAttr(
      this.gap,
      "title",
      `The target set here differs from what the inputs imply (${formatValue(m.implied_target, m.unit)})`,
    );
  }

  /**
   * The metric's health findings at a glance (a new metric with no owner is flagged at once);
   * the messages are the title, the panel lists them.
   * @param {Metric} m
   */
  updateFlags(m) {
    const findings = m.findings ?? [];
    this.flags.hidden = findings.length === 0;
    if (!findings.length) return;
    const worst = findings.some((f) => f.severity === "error")
      ? "error"
      : findings.some((f) => f.severity === "warning")
        ? "warning"
        : "info";
    this.flags.className = `kpt-flags kpt-sev-${worst}`;
    setText(this.flags, `\u26a0 ${findings.length}`);
    setAttr(this.flags, "data-rules", findings.map((f) => f.rule).join(" "));
    setAttr(this.flags, "title", findings.map((f) => f.message).join("\n"));
  }

  /**
   * A rejected edit's message, inside the card in place of the owner line (the card keeps its
   * size, so it never covers another card), pointing at the field it is about; the field is
   * marked invalid and described by it. The whole message is its title too (the card shows two
   * lines; the banner above the canvas shows it all).
   * @param {CardState["error"]} error
   */
  showError(error) {
    const key = error ? `${error.field}\n${error.message}` : "";
    if (key === this.errorKey) return;
    this.errorKey = key;
    this.errorEl?.remove();
    this.errorEl = null;
    const field = /** @type {EditField | null} */ (
      error && FIELDS.includes(/** @type {EditField} */ (error.field)) ? error.field : null
    );
    const id = error ? `kpt-error-${++errorIds}` : "";
    for (const f of FIELDS) {
      const span = this.fields[f];
      if (f === field) {
        setAttr(span, "aria-invalid", "true");
        setAttr(span, "aria-describedby", id);
      } else {
        span.removeAttribute("aria-invalid");
        span.removeAttribute("aria-describedby");
      }
    }
    if (!error) return;
    this.errorEl = h(
      "div",
      {
        className: `kpt-error kpt-card-error${field ? ` kpt-error-at-${field}` : ""}`,
        attrs: { "data-role": "error", role: "alert", id },
      },
      [h("span", { className: "kpt-card-error-text", text: error.message })],
    );
    this.errorEl.title = error.message;
    this.foot.before(this.errorEl);
  }
}

/** Units whose numbers carry their own mark ($, %, d, x) or none. */
const MARKED_UNITS = new Set(["currency", "percent", "count", "days", "ratio", "number"]);

/**
 * A value or target for the card: Python's text when it came (the same text graphviz and the
 * terminal show), without a free-text unit (the card's unit badge says it), else formatted here.
 * @param {Metric} m
 * @param {EditField} field
 */
export function cardText(m, field) {
  const text = m.text?.[field];
  if (text === undefined) return formatCardValue(m[field], m.unit);
  const unit = m.unit && !MARKED_UNITS.has(m.unit) ? ` ${m.unit}` : "";
  return unit && text.endsWith(unit) ? text.slice(0, -unit.length) : text;
}

/** @param {EditField} field */
function fieldSpan(field) {
  return h("span", { className: "kpt-field", attrs: { "data-field": field, "data-raw": "" } });
}

/**
 * @param {string} label
 * @param {HTMLElement} content
 */
function cell(label, content) {
  return h("div", { className: "kpt-cell" }, [
    h("span", { className: "kpt-label", text: label }),
    content,
  ]);
}
