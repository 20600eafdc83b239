// The bar above the tree: title, period and scenario pickers, what a focus shows, the search
// box, expand and zoom buttons.

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
 * @property {() => void} onShowAll   drop the focus: the whole tree
 * @property {HistoryHandlers} [history]  undo, redo and save (a tree being built)
 * @property {() => void} [onRefresh]  refresh the numbers from the tree's data sources
 *
 * @typedef {object} HistoryHandlers
 * @property {() => void} onUndo
 * @property {() => void} onRedo
 * @property {() => void} onSave
 *
 * What the history buttons offer (the `can_undo`, `can_redo` and `file` traits).
 * @typedef {object} HistoryState
 * @property {boolean} canUndo
 * @property {boolean} canRedo
 * @property {string} file   the file Save writes, "" for none
 *
 * What a focus shows (null: no focus, the whole tree).
 * @typedef {object} FocusInfo
 * @property {number} shown          metrics drawn: the focus and its context
 * @property {number} focused        of which in the focus
 * @property {number | null} total   metrics in the whole tree, when known
 */

const PLAN_LABEL = "Plan";

export class Toolbar {
  /** @param {ToolbarHandlers} handlers */
  constructor(handlers) {
    /** @type {HTMLButtonElement | undefined} */
    this.undo = undefined;
    /** @type {HTMLButtonElement | undefined} */
    this.redo = undefined;
    /** @type {HTMLButtonElement | undefined} */
    this.save = undefined;
    /** @type {HTMLElement | undefined} */
    this.status = undefined;
    this.title = h("span", { className: "kpt-title" });
    this.period = picker("Period", "kpt-period", handlers.onPeriod);
    this.scenario = picker("Scenario", "kpt-scenario", handlers.onScenario);
    this.focusText = h("span", { className: "kpt-focus-text" });
    const showAll = h("button", {
      className: "kpt-link kpt-show-all",
      text: "Show all",
      attrs: { type: "button", title: "Show the whole tree (drop the focus)" },
    });
    showAll.addEventListener("click", handlers.onShowAll);
    this.focusChip = h("span", { className: "kpt-focus-chip", attrs: { "data-role": "focus" } }, [
      this.focusText,
      h("span", { className: "kpt-focus-sep", text: " \u00b7 ", attrs: { "aria-hidden": "true" } }),
      showAll,
    ]);
    this.focusChip.hidden = true;
    this.spacer = h("span", { className: "kpt-spacer" });
    this.refresh = refreshControl(handlers.onRefresh ?? (() => {}));
    this.el = h("div", { className: "kpt-toolbar" }, [
      this.title,
      this.period.wrap,
      this.scenario.wrap,
      this.focusChip,
      this.spacer,
      ...(handlers.history ? this.historyControls(handlers.history) : []),
      this.refresh.wrap,
      button("Expand all", "Open every subtree", handlers.onExpandAll),
      button("Collapse", "Close everything below the root", handlers.onCollapseAll),
      button("\u2212", "Zoom out", () => handlers.onZoom(1 / 1.25)),
      button("+", "Zoom in", () => handlers.onZoom(1.25)),
      button("Fit", "Fit the tree to the view", handlers.onFit, "kpt-fit"),
    ]);
  }

  /**
   * Put the search box (search-box.js) in the bar, before the buttons.
   * @param {HTMLElement} box
   */
  addSearch(box) {
    this.spacer.after(box);
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

  /**
   * Undo, Redo, Save (shown when the tree has a file) and the line saying what they did.
   * @param {HistoryHandlers} handlers
   * @returns {HTMLElement[]}
   */
  historyControls(handlers) {
    this.undo = button("Undo", "Undo the last change (Ctrl/Cmd+Z)", handlers.onUndo);
    this.undo.setAttribute("data-action", "undo");
    this.redo = button("Redo", "Redo (Shift+Ctrl/Cmd+Z)", handlers.onRedo);
    this.redo.setAttribute("data-action", "redo");
    this.save = button("Save", "Write the tree back to its file", handlers.onSave, "kpt-save");
    this.save.setAttribute("data-action", "save");
    this.status = h("span", {
      className: "kpt-status-line",
      attrs: { "data-role": "status", role: "status", "aria-live": "polite" },
    });
    this.updateHistory({ canUndo: false, canRedo: false, file: "" });
    return [this.status, this.undo, this.redo, this.save];
  }

  /** @param {HistoryState} state */
  updateHistory(state) {
    if (!this.undo || !this.redo || !this.save) return;
    this.undo.disabled = !state.canUndo;
    this.redo.disabled = !state.canRedo;
    this.save.hidden = !state.file;
    const title = state.file ? `Write the tree back to ${state.file}` : "";
    this.save.title = title;
    this.save.setAttribute("aria-label", title || "Save");
  }

  /**
   * Say what an action did ("Saved to tree.yaml"); an empty text clears it.
   * @param {string} text
   * @param {boolean} [failed]
   */
  say(text, failed = false) {
    if (!this.status) return;
    setText(this.status, text);
    this.status.classList.toggle("kpt-status-failed", failed);
  }

  /** @param {FocusInfo | null} focus */
  updateFocus(focus) {
    this.focusChip.hidden = !focus;
    if (!focus) return;
    setText(this.focusText, focusText(focus));
    const context = focus.shown - focus.focused;
    this.focusChip.title =
      `${focus.focused} in focus` +
      (context > 0 ? `, ${context} more (faded) connecting them to the root` : "");
  }
}

/**
 * "Showing 16 of 20 metrics", or "Showing 16 metrics" when the whole tree's size is unknown.
 * @param {FocusInfo} focus
 */
export function focusText({ shown, total }) {
  const noun = (/** @type {number} */ n) => (n === 1 ? "metric" : "metrics");
  return total !== null && total >= shown
    ? `Showing ${shown} of ${total} ${noun(total)}`
    : `Showing ${shown} ${noun(shown)}`;
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

/**
 * The refresh button and its status ("Refreshing…", "Refreshed at 14:02:31"); hidden until
 * the tree has data sources.
 * @param {() => void} onRefresh
 */
function refreshControl(onRefresh) {
  const status = h("span", { className: "kpt-refresh-status", attrs: { "data-role": "refreshed" } });
  const btn = button("Refresh", "Load the numbers from the tree's data sources", onRefresh,
    "kpt-refresh-btn");
  btn.setAttribute("data-action", "refresh");
  const wrap = h("span", { className: "kpt-refresh" }, [btn, status]);
  wrap.hidden = true;
  return {
    wrap,
    /** @param {boolean} shown */
    show(shown) {
      wrap.hidden = !shown;
    },
    /** @param {"busy" | "done" | "failed"} state @param {string} [at] ISO time of a refresh */
    set(state, at) {
      btn.disabled = state === "busy";
      btn.setAttribute("aria-busy", String(state === "busy"));
      setText(status, refreshText(state, at));
    },
  };
}

/**
 * What the status says for a refresh state.
 * @param {"busy" | "done" | "failed"} state
 * @param {string} [at]
 */
export function refreshText(state, at) {
  if (state === "busy") return "Refreshing\u2026";
  if (state === "failed") return "Refresh failed";
  const when = at ? new Date(at) : null;
  return when && !Number.isNaN(when.getTime())
    ? `Refreshed at ${when.toLocaleTimeString()}`
    : "Refreshed";
}
