// The bar above the tree: title, period and scenario pickers, expand and zoom buttons.

import { h, setText } from "./dom.js";

/**
 * @typedef {import("./types.js").TreeData} TreeData
 *
 * @typedef {object} ToolbarHandlers
 * @property {(period: string) => void} onPeriod
 * @property {(scenario: string) => void} onScenario
 * @property {(factor: number) => void} onZoom
 * @property {() => void} onFit
 * @property {() => void} onExpandAll
 * @property {() => void} onCollapseAll
 */

const PLAN_LABEL = "Plan";

export class Toolbar {
  /** @param {ToolbarHandlers} handlers */
  constructor(handlers) {
    this.title = h("span", { className: "kpt-title" });
    this.period = picker("Period", "kpt-period", handlers.onPeriod);
    this.scenario = picker("Scenario", "kpt-scenario", handlers.onScenario);
    this.el = h("div", { className: "kpt-toolbar" }, [
      this.title,
      this.period.wrap,
      this.scenario.wrap,
      h("span", { className: "kpt-spacer" }),
      button("Expand all", "Open every subtree", handlers.onExpandAll),
      button("Collapse", "Close everything below the root", handlers.onCollapseAll),
      button("\u2212", "Zoom out", () => handlers.onZoom(1 / 1.25)),
      button("+", "Zoom in", () => handlers.onZoom(1.25)),
      button("Fit", "Fit the tree to the view", handlers.onFit, "kpt-fit"),
    ]);
  }

  /** @param {TreeData} data */
  update(data) {
    setText(this.title, data.name ?? "");
    const periods = data.periods ?? [];
    setOptions(
      this.period.select,
      periods.map((p) => [p, p]),
      data.period ?? periods.at(-1) ?? "",
    );
    this.period.wrap.hidden = periods.length === 0;
    const scenarios = data.scenarios ?? [];
    setOptions(
      this.scenario.select,
      [["", PLAN_LABEL], ...scenarios.map((s) => /** @type {[string, string]} */ ([s, s]))],
      data.scenario ?? "",
    );
    this.scenario.wrap.hidden = scenarios.length === 0;
  }
}

/**
 * @param {string} label
 * @param {string} className
 * @param {(value: string) => void} onChange
 */
function picker(label, className, onChange) {
  const select = h("select", {
    className: `kpt-select ${className}`,
    attrs: { "aria-label": label },
  });
  select.addEventListener("change", () => onChange(select.value));
  const wrap = h("label", { className: "kpt-picker" }, [
    h("span", { className: "kpt-label", text: label }),
    select,
  ]);
  return { wrap, select };
}

/**
 * Replace a select's options when they changed, then select `value`.
 * @param {HTMLSelectElement} select
 * @param {[string, string][]} options  value, label
 * @param {string} value
 */
function setOptions(select, options, value) {
  const key = JSON.stringify(options);
  if (select.dataset.options !== key) {
    select.dataset.options = key;
    select.replaceChildren(
      ...options.map(([v, text]) => h("option", { text, attrs: { value: v } })),
    );
  }
  select.value = value;
}

/**
 * @param {string} text
 * @param {string} title
 * @param {() => void} onClick
 * @param {string} [extraClass]
 */
function button(text, title, onClick, extraClass = "") {
  const b = h("button", {
    className: `kpt-btn ${extraClass}`.trim(),
    text,
    attrs: { type: "button", title, "aria-label": title },
  });
  b.addEventListener("click", onClick);
  return b;
}
