// Building the tree from the detail panel: the editable fields, the "add a driver" form, remove,
// and hypotheses. UI-only state of one view (never synced): what is typed stays here until it
// is sent, and a refusal stays beside its field with the text that was refused.

import {
  fieldText,
  hypothesisTargets,
  PANEL_FIELDS,
  removeRequest,
  UNITS,
  unknownNames,
} from "./build.js";
import { h } from "./dom.js";

/**
 * @typedef {import("./types.js").Metric} Metric
 * @typedef {import("./types.js").Answer} Answer
 * @typedef {import("./types.js").Hypothesis} Hypothesis
 * @typedef {import("./types.js").Op} Op
 * @typedef {import("./types.js").RequestMessages} RequestMessages
 * @typedef {import("./build.js").FieldSpec} FieldSpec
 *
 * @typedef {object} BuilderHost   what the builder needs of its view
 * @property {<N extends keyof RequestMessages>(name: N, msg: RequestMessages[N]) => Promise<Answer>} send
 * @property {(id: string) => Metric | undefined} metric
 * @property {() => Metric[]} metrics      every drawn metric
 * @property {() => Hypothesis[]} hypotheses
 * @property {(id: string) => void} select
 * @property {() => void} changed          redraw the panel
 * @property {(text: string) => void} say  a short status line ("Removed arpc")
 * @property {(source: string | null) => void} drawing   the hypothesis-drawing mode changed
 *
 * @typedef {{metric: string, field: string, message: string}} PanelError
 * @typedef {{metric: string, text: string, names: string[]}} Missing
 */

/** How a new driver joins its parent ("~": influences it, a hypothesis with no math). */
/** @type {[Op | "~", string][]} */
const OPS = [
  ["+", "+ (add)"],
  ["-", "\u2212 (subtract)"],
  ["*", "\u00d7 (multiply)"],
  ["/", "\u00f7 (divide by)"],
  ["~", "\u2192 influences (hypothesis)"],
];

/** Trees up to this size list the hypothesis picker's metrics at once; larger ones on use. */
const LIST_TARGETS_UP_TO = 200;

export class Builder {
  /** @param {BuilderHost} host */
  constructor(host) {
    this.host = host;
    /** @type {Map<string, string>} `${metric}\n${field}` -> the text typed, not yet sent */
    this.drafts = new Map();
    /** @type {PanelError | null} */
    this.error = null;
    /** @type {Missing | null} a formula waiting for "create them as inputs?" */
    this.missing = null;
    /** @type {string | null} the metric whose "add a driver" form is open */
    this.addingTo = null;
    /** @type {{id: string, name: string, op: Op | "~"}} */
    this.newDriver = { id: "", name: "", op: "+" };
    /** @type {string | null} drawing a hypothesis from this metric: the next card clicked */
    this.drawingFrom = null;
    /** @type {{target: string, sign: "+" | "-", note: string}} */
    this.newLink = { target: "", sign: "+", note: "" };
  }

  // ---- requests -------------------------------------------------------------------------

  /**
   * Send a request; on success `done` runs, on a refusal its message shows beside `field`.
   * @template {keyof RequestMessages} N
   * @param {N} name
   * @param {RequestMessages[N]} msg
   * @param {{metric: string, field: string}} where
   * @param {() => void} [done]
   * @returns {Promise<boolean>} whether Python accepted it
   */
  request(name, msg, where, done) {
    return this.host.send(name, msg).then(
      (answer) => {
        if (answer?.ok) {
          if (this.error?.field === where.field) this.error = null;
          done?.();
        } else {
          this.error = { ...where, message: answer?.error?.message ?? "refused" };
        }
        this.host.changed();
        return !!answer?.ok;
      },
      (err) => {
        this.error = { ...where, message: err instanceof Error ? err.message : String(err) };
        this.host.changed();
        return false;
      },
    );
  }

  /**
   * Commit a panel field: send its text when it changed. A formula naming metrics that do not
   * exist asks first whether to create them as inputs.
   * @param {Metric} m
   * @param {FieldSpec["field"]} field
   * @param {string} text
   */
  commit(m, field, text) {
    const key = draftKey(m.id, field);
    const value = text.trim();
    if (value === fieldText(m, field).trim()) {
      this.drafts.delete(key);
      if (this.error?.metric === m.id && this.error.field === field) this.error = null;
      this.host.changed();
      return;
    }
    this.drafts.set(key, text);
    const forget = () => this.drafts.delete(key);
    if (field !== "formula") {
      this.request("update", { metric: m.id, field, text: value }, { metric: m.id, field }, forget);
      return;
    }
    const known = new Set(this.host.metrics().map((x) => x.id));
    const names = unknownNames(value, known);
    if (names.length) {
      this.missing = { metric: m.id, text: value, names };
      this.host.changed();
      return;
    }
    this.setFormula(m.id, value, false);
  }

  /**
   * @param {string} metric
   * @param {string} text
   * @param {boolean} createMissing
   */
  setFormula(metric, text, createMissing) {
    this.missing = null;
    this.request(
      "set_formula",
      { metric, text, create_missing: createMissing },
      { metric, field: "formula" },
      () => this.drafts.delete(draftKey(metric, "formula")),
    );
  }

  /**
   * Escape in a field: forget what was typed and its refusal.
   * @param {string} metric
   * @param {string} field
   */
  cancel(metric, field) {
    this.drafts.delete(draftKey(metric, field));
    if (this.error?.metric === metric && this.error.field === field) this.error = null;
    if (field === "formula") this.missing = null;
    this.host.changed();
  }

  /** @param {string} id */
  openAddDriver(id) {
    if (this.addingTo !== id) this.newDriver = { id: "", name: "", op: defaultOp(this.host.metric(id)) };
    this.addingTo = id;
    this.host.changed();
  }

  closeAddDriver() {
    this.addingTo = null;
    if (this.error?.field === "id") this.error = null;
    this.host.changed();
  }

  /** @param {string} parent */
  addDriver(parent) {
    const { id, name, op } = this.newDriver;
    const metric = id.trim();
    if (!metric) {
      this.error = { metric: parent, field: "id", message: "type the new driver's id first" };
      this.host.changed();
      return;
    }
    this.request(
      "add_driver",
      op === "~"
        ? { parent, metric, name: name.trim() || null, link: "hypothesis" }
        : { parent, metric, name: name.trim() || null, op },
      { metric: parent, field: "id" },
      () => {
        this.newDriver = { id: "", name: "", op };
        this.host.say(`Added ${metric} under ${parent}`);
      },
    );
  }

  /** @param {Metric} m */
  remove(m) {
    const next = m.parent ?? "";
    this.request("remove", removeRequest(m), { metric: m.id, field: "metric" }, () => {
      if (this.addingTo === m.id) this.addingTo = null;
      this.host.select(next);
      this.host.say(`Removed ${m.id}`);
    });
  }

  /**
   * @param {string} source
   * @param {string} target
   * @param {"+" | "-"} sign
   * @param {string} note
   */
  addHypothesis(source, target, sign, note) {
    this.request(
      "hypothesis",
      { source, target, sign, note },
      { metric: source, field: "hypothesis" },
      () => {
        this.newLink = { target: "", sign: "+", note: "" };
        this.host.say(`Hypothesis: ${source} influences ${target}`);
      },
    );
  }

  /** @param {Hypothesis} x */
  removeHypothesis(x) {
    this.request(
      "hypothesis",
      { source: x.from, target: x.to, remove: true },
      { metric: x.from, field: "hypothesis" },
    );
  }

  /** @param {string | null} source  start drawing a hypothesis from it (null: stop) */
  draw(source) {
    this.drawingFrom = source;
    this.host.drawing(source);
  }

  /**
   * A card clicked while drawing: the hypothesis goes from the drawing's source to it.
   * @param {string} target
   * @returns {boolean} whether the click was taken by the drawing
   */
  drawTo(target) {
    const source = this.drawingFrom;
    if (!source) return false;
    this.draw(null);
    if (target !== source) this.addHypothesis(source, target, "+", "");
    return true;
  }

  // ---- the panel's sections ----------------------------------------------------------------

  /**
   * The editable fields of a metric.
   * @param {Metric} m
   */
  fieldsSection(m) {
    const rows = PANEL_FIELDS.map((spec) => this.fieldRow(m, spec));
    return h("section", { className: "kpt-panel-section kpt-build" }, [
      h("h4", { className: "kpt-panel-h", text: "Edit" }),
      h("datalist", { attrs: { id: unitListId(m.id) } }, UNITS.map((u) => h("option", { attrs: { value: u } }))),
      ...rows,
    ]);
  }

  /**
   * @param {Metric} m
   * @param {FieldSpec} spec
   */
  fieldRow(m, spec) {
    const { field } = spec;
    const key = draftKey(m.id, field);
    const original = fieldText(m, field);
    const hook = `${field}-input`;
    const id = `kpt-${hook}-${m.id}`;
    /** @type {HTMLInputElement | HTMLSelectElement} */
    let control;
    if (spec.control === "select") {
      const select = h(
        "select",
        { className: "kpt-select kpt-field-input", attrs: { "data-field": hook, id } },
        (spec.options ?? []).map(([v, text]) => h("option", { text, attrs: { value: v } })),
      );
      select.value = original;
      select.addEventListener("change", () => this.commit(m, field, select.value));
      select.addEventListener("keydown", (e) => e.stopPropagation());
      control = select;
    } else {
      const input = h("input", {
        className: "kpt-text-input kpt-field-input",
        attrs: {
          type: "text",
          "data-field": hook,
          id,
          autocomplete: "off",
          spellcheck: "false",
          placeholder: spec.placeholder ?? "",
          ...(field === "unit" ? { list: unitListId(m.id) } : {}),
        },
      });
      input.value = this.drafts.get(key) ?? original;
      input.addEventListener("input", () => this.drafts.set(key, input.value));
      input.addEventListener("keydown", (e) => {
        e.stopPropagation(); // the notebook's shortcuts never see keys typed here
        if (e.isComposing) return;
        if (e.key === "Enter") {
          e.preventDefault();
          this.commit(m, field, input.value);
        } else if (e.key === "Escape") {
          e.preventDefault();
          input.value = original;
          this.cancel(m.id, field);
        }
      });
      control = input;
    }
    const modified = this.drafts.has(key) && this.drafts.get(key) !== original;
    control.classList.toggle("kpt-modified", modified);
    const err = this.error?.metric === m.id && this.error.field === field ? this.error : null;
    if (err) control.setAttribute("aria-invalid", "true");
    return h("div", { className: "kpt-field-row" }, [
      h("label", { className: "kpt-row-label", text: spec.label, attrs: { for: id } }),
      control,
      err ? errorLine(err.message) : null,
      field === "formula" ? this.missingPrompt(m) : null,
    ]);
  }

  /**
   * "Create churn, arpc as new inputs?" after a formula naming them.
   * @param {Metric} m
   */
  missingPrompt(m) {
    const missing = this.missing;
    if (!missing || missing.metric !== m.id) return null;
    const yes = button("Create them", "create-missing", "kpt-btn kpt-primary");
    yes.addEventListener("click", () => this.setFormula(m.id, missing.text, true));
    const no = button("Cancel", "cancel-missing", "kpt-btn");
    no.addEventListener("click", () => {
      this.missing = null;
      this.host.changed();
    });
    const list = missing.names.join(", ");
    return h("div", { className: "kpt-confirm", attrs: { "data-role": "confirm" } }, [
      h("span", {
        text: `${list} ${missing.names.length === 1 ? "is" : "are"} not in the tree yet. Create ${missing.names.length === 1 ? "it" : "them"} as new input${missing.names.length === 1 ? "" : "s"}?`,
      }),
      h("div", { className: "kpt-confirm-buttons" }, [yes, no]),
    ]);
  }

  /**
   * The "add a driver" form, open on the metric whose card's button was pressed.
   * @param {Metric} m
   */
  addDriverSection(m) {
    if (this.addingTo !== m.id) return null;
    const draft = this.newDriver;
    const id = textInput("new-id-input", draft.id, "new_metric_id", (v) => (draft.id = v));
    const name = textInput("new-name-input", draft.name, "Display name (optional)", (v) => (draft.name = v));
    const op = h(
      "select",
      { className: "kpt-select", attrs: { "data-field": "op-input", "aria-label": "How it joins the formula" } },
      OPS.map(([v, text]) => h("option", { text, attrs: { value: v } })),
    );
    op.value = draft.op;
    op.addEventListener("change", () => {
      draft.op = /** @type {Op | "~"} */ (op.value);
      this.host.changed();
    });
    for (const el of [id, name, op]) {
      el.addEventListener("keydown", (e) => {
        const key = /** @type {KeyboardEvent} */ (e);
        key.stopPropagation();
        if (key.isComposing) return;
        if (key.key === "Enter") {
          key.preventDefault();
          this.addDriver(m.id);
        } else if (key.key === "Escape") {
          key.preventDefault();
          this.closeAddDriver();
        }
      });
    }
    const add = button("Add", "add-driver-submit", "kpt-btn kpt-primary");
    add.addEventListener("click", () => this.addDriver(m.id));
    const close = button("Done", "add-driver-close", "kpt-btn");
    close.addEventListener("click", () => this.closeAddDriver());
    const err = this.error?.metric === m.id && this.error.field === "id" ? this.error : null;
    const formula = m.formula ? `${m.formula} ${draft.op} \u2026` : "\u2026";
    const shape =
      draft.op === "~" ? `new metric \u2192 ${m.id} (a hypothesis, no math)` : `${m.id} = ${formula}`;
    return h("section", { className: "kpt-panel-section kpt-add-form", attrs: { "data-role": "add-driver" } }, [
      h("h4", { className: "kpt-panel-h", text: `Add a driver of ${m.name}` }),
      h("div", { className: "kpt-muted", text: shape }),
      labelled("Id", id),
      labelled("Name", name),
      labelled("Joins with", op),
      err ? errorLine(err.message) : null,
      h("div", { className: "kpt-form-buttons" }, [add, close]),
    ]);
  }

  /**
   * Hypotheses of a metric: the links, each removable, a form to add one and the drawing
   * gesture (click another card).
   * @param {Metric} m
   * @param {(id: string) => HTMLElement} link  a button selecting a metric
   */
  hypothesesSection(m, link) {
    const hypotheses = this.host.hypotheses();
    const items = hypotheses
      .filter((x) => x.from === m.id || x.to === m.id)
      .map((x) => {
        const out = x.from === m.id;
        const remove = button("\u00d7", "remove-hypothesis", "kpt-link kpt-remove-link");
        remove.title = `Remove the hypothesis ${x.from} \u2192 ${x.to}`;
        remove.setAttribute("aria-label", remove.title);
        remove.addEventListener("click", () => this.removeHypothesis(x));
        return h("li", { attrs: { "data-hypothesis": `${x.from}>${x.to}` } }, [
          h("span", { text: `${out ? "drives" : "driven by"} (${x.sign}) ` }),
          link(out ? x.to : x.from),
          x.note ? h("span", { className: "kpt-muted", text: ` \u2014 ${x.note}` }) : null,
          remove,
        ]);
      });
    const draft = this.newLink;
    const target = h("select", {
      className: "kpt-select",
      attrs: { "data-field": "hypothesis-target-input", "aria-label": "The metric it influences" },
    });
    // a large tree lists its metrics only when the picker is used (the panel redraws often)
    let filled = false;
    const fill = () => {
      if (filled) return;
      filled = true;
      const targets = hypothesisTargets(this.host.metrics(), m.id, hypotheses);
      target.replaceChildren(
        h("option", { text: "influences\u2026", attrs: { value: "" } }),
        ...targets.map((t) => h("option", { text: t.name, attrs: { value: t.id } })),
      );
      target.value = targets.some((t) => t.id === draft.target) ? draft.target : "";
    };
    if (this.host.metrics().length <= LIST_TARGETS_UP_TO) fill();
    else {
      target.append(h("option", { text: "influences\u2026", attrs: { value: "" } }));
      target.addEventListener("focus", fill);
      target.addEventListener("pointerdown", fill);
    }
    target.addEventListener("change", () => (draft.target = target.value));
    const sign = h(
      "select",
      { className: "kpt-select", attrs: { "data-field": "hypothesis-sign-input", "aria-label": "Expected direction" } },
      [h("option", { text: "+", attrs: { value: "+" } }), h("option", { text: "\u2212", attrs: { value: "-" } })],
    );
    sign.value = draft.sign;
    sign.addEventListener("change", () => (draft.sign = sign.value === "-" ? "-" : "+"));
    const note = textInput("hypothesis-note-input", draft.note, "why (optional)", (v) => (draft.note = v));
    const add = button("Add", "add-hypothesis", "kpt-btn");
    const submit = () => {
      if (!draft.target) {
        this.error = { metric: m.id, field: "hypothesis", message: "pick the metric it influences" };
        this.host.changed();
        return;
      }
      this.addHypothesis(m.id, draft.target, draft.sign, draft.note);
    };
    add.addEventListener("click", submit);
    note.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter" && !e.isComposing) {
        e.preventDefault();
        submit();
      }
    });
    for (const el of [target, sign]) el.addEventListener("keydown", (e) => e.stopPropagation());
    const drawing = this.drawingFrom === m.id;
    const draw = button(
      drawing ? "Click a card\u2026 (Esc stops)" : "Draw to a card",
      "draw-hypothesis",
      `kpt-btn${drawing ? " kpt-active" : ""}`,
    );
    draw.title = "Then click the card this metric influences";
    draw.addEventListener("click", () => this.draw(drawing ? null : m.id));
    const err = this.error?.metric === m.id && this.error.field === "hypothesis" ? this.error : null;
    return h("section", { className: "kpt-panel-section" }, [
      h("h4", { className: "kpt-panel-h", text: "Hypotheses" }),
      items.length ? h("ul", { className: "kpt-list" }, items) : null,
      h("div", { className: "kpt-hyp-form" }, [target, sign, note, add]),
      h("div", { className: "kpt-form-buttons" }, [draw]),
      err ? errorLine(err.message) : null,
    ]);
  }

  /**
   * Remove the metric (out of its parent's formula first).
   * @param {Metric} m
   */
  removeSection(m) {
    const remove = button("Remove metric", "remove", "kpt-btn kpt-danger");
    remove.title = m.link === "formula" && m.parent
      ? `Take ${m.id} out of ${m.parent}'s formula and remove it`
      : `Remove ${m.id}`;
    remove.addEventListener("click", () => this.remove(m));
    const err = this.error?.metric === m.id && this.error.field === "metric" ? this.error : null;
    return h("section", { className: "kpt-panel-section kpt-remove-section" }, [
      remove,
      err ? errorLine(err.message) : null,
    ]);
  }
}

/**
 * @param {string} metric
 * @param {string} field
 */
function draftKey(metric, field) {
  return `${metric}\n${field}`;
}

/** @param {string} metric */
function unitListId(metric) {
  return `kpt-units-${metric}`;
}

/**
 * The op a new driver joins its parent with by default: what the formula already does.
 * @param {Metric | undefined} m
 * @returns {Op}
 */
function defaultOp(m) {
  return m?.relation === "product" ? "*" : "+";
}

/** @param {string} message */
function errorLine(message) {
  return h("div", {
    className: "kpt-error kpt-panel-error",
    text: message,
    attrs: { "data-role": "error", role: "alert" },
  });
}

/**
 * @param {string} text
 * @param {string} action
 * @param {string} className
 */
function button(text, action, className) {
  return h("button", { className, text, attrs: { type: "button", "data-action": action } });
}

/**
 * @param {string} hook
 * @param {string} value
 * @param {string} placeholder
 * @param {(value: string) => void} onInput
 */
function textInput(hook, value, placeholder, onInput) {
  const input = h("input", {
    className: "kpt-text-input",
    attrs: { type: "text", "data-field": hook, placeholder, autocomplete: "off", spellcheck: "false", "aria-label": placeholder },
  });
  input.value = value;
  input.addEventListener("input", () => onInput(input.value));
  return input;
}

/**
 * @param {string} label
 * @param {HTMLElement} control
 */
function labelled(label, control) {
  return h("label", { className: "kpt-field-row" }, [
    h("span", { className: "kpt-row-label", text: label }),
    control,
  ]);
}
