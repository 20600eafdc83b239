// The detail panel of the selected metric, rebuilt whenever the data or selection changes.

import { edgeStyle, statusClass, statusLabel } from "./colors.js";
import { h } from "./dom.js";
import { formatNumber, formatVariance, formatVariancePct, isNumber } from "./format.js";
import { inputDescendants } from "./tree.js";

/**
 * @typedef {import("./types.js").Metric} Metric
 * @typedef {import("./types.js").Hypothesis} Hypothesis
 * @typedef {import("./tree.js").TreeIndex} TreeIndex
 */

/**
 * @typedef {object} PanelContext
 * @property {Metric} metric
 * @property {TreeIndex} index
 * @property {Hypothesis[]} hypotheses
 * @property {string} lever                        the lever picked for "solve for"
 * @property {(id: string) => void} onSelect
 * @property {() => void} onClose
 * @property {(lever: string) => void} onLever
 * @property {(metric: string, lever: string) => void} onSolve
 */

/**
 * Fill `container` with the details of `ctx.metric`.
 * @param {HTMLElement} container
 * @param {PanelContext} ctx
 */
export function renderPanel(container, ctx) {
  const m = ctx.metric;
  const parts = [
    header(m, ctx.onClose),
    numbers(m),
    solveSection(ctx),
    formulaSection(m, ctx),
    facts(m),
    m.description
      ? section("Description", [h("p", { className: "kpt-desc", text: m.description })])
      : null,
    m.tags?.length ? section("Tags", [tags(m.tags)]) : null,
    hypothesesSection(m, ctx),
    findingsSection(m),
  ];
  container.replaceChildren(...parts.filter((p) => p !== null));
}

/**
 * @param {Metric} m
 * @param {() => void} onClose
 */
function header(m, onClose) {
  const close = h("button", {
    className: "kpt-btn kpt-panel-close",
    text: "\u00d7",
    attrs: { type: "button", "aria-label": "Close details", title: "Close" },
  });
  close.addEventListener("click", onClose);
  return h("div", { className: "kpt-panel-head" }, [
    h("div", {}, [
      h("div", { className: "kpt-panel-title", text: m.name }),
      h("div", { className: "kpt-panel-id", text: m.id }),
    ]),
    close,
  ]);
}

/**
 * The panel has room for every digit: value and target in the "full" style ("$14,700,000").
 * @param {Metric} m
 */
function numbers(m) {
  // value and target in full (the card shows them compact); the variance as Python wrote it
  const t = m.text;
  const target = formatNumber(m.target, m.unit, "full");
  const variance = t?.variance ?? formatVariance(m.variance, m.unit);
  const pct = t?.variance_pct ?? formatVariancePct(m.variance_pct);
  return rows([
    ["Value", formatNumber(m.value, m.unit, "full")],
    ["Target", m.explicit_target && !m.is_input ? `${target} (set here)` : target],
    ["Variance", `${variance} (${pct})`],
    ["Status", statusLabel(m.status), `kpt-status-text ${statusClass(m.status)}`],
  ]);
}

/**
 * The gap between an explicit target and the implied one, and the "solve for" control.
 * @param {PanelContext} ctx
 */
function solveSection(ctx) {
  const m = ctx.metric;
  if (!m.explicit_target || m.is_input) return null;
  const gap = isNumber(m.target) && isNumber(m.implied_target) ? m.target - m.implied_target : null;
  /** @type {HTMLElement[]} */
  const content = [
    rows([
      ["Inputs imply", formatNumber(m.implied_target, m.unit, "full")],
      ["Gap", formatVariance(gap, m.unit)],
    ]),
  ];
  const levers = inputDescendants(ctx.index, m.id);
  if (levers.length) content.push(solveControl(ctx, levers));
  return section("Target set on a computed metric", content);
}

/**
 * @param {PanelContext} ctx
 * @param {string[]} levers
 */
function solveControl(ctx, levers) {
  const select = h(
    "select",
    { className: "kpt-select", attrs: { "aria-label": "Lever to solve for" } },
    levers.map((id) =>
      h("option", { text: ctx.index.byId.get(id)?.name ?? id, attrs: { value: id } }),
    ),
  );
  select.value = levers.includes(ctx.lever) ? ctx.lever : levers[0];
  select.addEventListener("change", () => ctx.onLever(select.value));
  const button = h("button", {
    className: "kpt-btn kpt-solve",
    text: "Solve",
    attrs: { type: "button", title: "Change the lever's target so the inputs meet this target" },
  });
  button.addEventListener("click", () => ctx.onSolve(ctx.metric.id, select.value));
  return h("div", { className: "kpt-solve-row" }, [
    h("span", { className: "kpt-label", text: "Solve for" }),
    select,
    button,
  ]);
}

/**
 * @param {Metric} m
 * @param {PanelContext} ctx
 */
function formulaSection(m, ctx) {
  if (!m.formula)
    return section("Formula", [
      h("p", { className: "kpt-muted", text: "Input metric (no formula)" }),
    ]);
  const style = edgeStyle(m.relation);
  const children = (m.children ?? []).map((id) => metricLink(id, ctx));
  return section("Formula", [
    h("code", { className: "kpt-formula", text: `${m.id} = ${m.formula}` }),
    h("div", { className: "kpt-muted", text: `Relation: ${style.label} (${style.symbol})` }),
    h("div", { className: "kpt-links" }, children),
  ]);
}

/** @param {Metric} m */
function facts(m) {
  /** @type {[string, string][]} */
  const items = [
    ["Owner", m.owner ?? ""],
    ["Team", m.team ?? ""],
    ["Cadence", m.cadence ?? ""],
    ["Lag", isNumber(m.lag_days) ? `${m.lag_days} d` : ""],
    ["Unit", m.unit ?? ""],
    ["Bounds", boundsText(m)],
    ["Better", m.direction === "down" ? "lower" : m.direction === "up" ? "higher" : ""],
  ];
  const shown = items.filter(([, text]) => text);
  return shown.length ? section("About", [rows(shown)]) : null;
}

/**
 * A metric's bounds as people read them: "0% to 100%", "at least 0", "at most 1", or "".
 * @param {Metric} m
 */
export function boundsText(m) {
  const lo = isNumber(m.min) ? formatNumber(m.min, m.unit, "full") : null;
  const hi = isNumber(m.max) ? formatNumber(m.max, m.unit, "full") : null;
  if (lo !== null && hi !== null) return `${lo} to ${hi}`;
  if (lo !== null) return `at least ${lo}`;
  return hi !== null ? `at most ${hi}` : "";
}

/** @param {string[]} list */
function tags(list) {
  return h(
    "div",
    { className: "kpt-tags" },
    list.map((t) => h("span", { className: "kpt-tag", text: t })),
  );
}

/**
 * @param {Metric} m
 * @param {PanelContext} ctx
 */
function hypothesesSection(m, ctx) {
  const items = ctx.hypotheses
    .filter((x) => x.from === m.id || x.to === m.id)
    .map((x) => {
      const out = x.from === m.id;
      const other = out ? x.to : x.from;
      return h("li", {}, [
        h("span", { text: `${out ? "drives" : "driven by"} (${x.sign}) ` }),
        metricLink(other, ctx),
        x.note ? h("span", { className: "kpt-muted", text: ` \u2014 ${x.note}` }) : null,
      ]);
    });
  return items.length ? section("Hypotheses", [h("ul", { className: "kpt-list" }, items)]) : null;
}

/** @param {Metric} m */
function findingsSection(m) {
  if (!m.findings?.length) return null;
  const items = m.findings.map((f) =>
    h("li", { className: `kpt-finding kpt-sev-${f.severity}` }, [
      h("span", { className: "kpt-sev", text: f.severity }),
      h("span", { text: ` ${f.message} ` }),
      h("span", { className: "kpt-muted", text: `(${f.rule})` }),
    ]),
  );
  return section("Findings", [h("ul", { className: "kpt-list" }, items)]);
}

/**
 * A button that selects another metric.
 * @param {string} id
 * @param {PanelContext} ctx
 */
function metricLink(id, ctx) {
  const link = h("button", {
    className: "kpt-link",
    text: ctx.index.byId.get(id)?.name ?? id,
    attrs: { type: "button", "data-select": id },
  });
  link.addEventListener("click", () => ctx.onSelect(id));
  return link;
}

/**
 * @param {string} title
 * @param {(Node | null)[]} content
 */
function section(title, content) {
  return h("section", { className: "kpt-panel-section" }, [
    h("h4", { className: "kpt-panel-h", text: title }),
    ...content,
  ]);
}

/**
 * A two-column list of label / text rows.
 * @param {([string, string] | [string, string, string])[]} items  label, text, optional class
 */
function rows(items) {
  return h(
    "div",
    { className: "kpt-rows" },
    items.flatMap(([label, text, cls]) => [
      h("span", { className: "kpt-row-label", text: label }),
      h("span", { className: `kpt-row-value ${cls ?? ""}`.trim(), text }),
    ]),
  );
}
