// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import widget from "../widget.js";
import { bigTree, metric, revenueTree } from "./fixtures.js";

/**
 * A stand-in for anywidget's model: traits in a plain object, events by name.
 * @param {Record<string, any>} state
 */
function fakeModel(state) {
  /** @type {Map<string, Set<() => void>>} */
  const listeners = new Map();
  /** @type {object[]} */
  const sent = [];
  const model = {
    sent,
    listeners,
    saves: 0,
    /** @param {string} name */
    get: (name) => state[name],
    /**
     * @param {string} name
     * @param {any} value
     */
    set(name, value) {
      state[name] = value;
      listeners.get(`change:${name}`)?.forEach((cb) => cb());
    },
    /**
     * @param {string} event
     * @param {() => void} cb
     */
    on(event, cb) {
      listeners.set(event, (listeners.get(event) ?? new Set()).add(cb));
    },
    /**
     * @param {string} event
     * @param {() => void} cb
     */
    off(event, cb) {
      listeners.get(event)?.delete(cb);
    },
    /** @param {object} msg */
    send: (msg) => sent.push(msg),
    save_changes() {
      model.saves++;
    },
  };
  return model;
}

/** @type {HTMLElement} */
let el;
/** @type {ReturnType<typeof fakeModel>} */
let model;
/** @type {() => void} */
let cleanup;

/**
 * @param {import("../types.js").TreeData} data
 * @param {Record<string, any>} [extra]
 */
function mount(data, extra = {}) {
  model = fakeModel({
    tree_data: data,
    error: {},
    selected: "",
    period: "",
    scenario: "",
    ...extra,
  });
  cleanup = widget.render({ model, el });
}

/** @param {string} selector */
const $ = (selector) => /** @type {HTMLElement} */ (el.querySelector(selector));
/** @param {string} id */
const card = (id) => $(`[data-metric="${id}"]`);
/**
 * @param {Element} target
 * @param {string} key
 * @param {boolean} [shiftKey]
 */
const press = (target, key, shiftKey = false) => {
  const event = new KeyboardEvent("keydown", { key, shiftKey, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
  return event;
};
/** @param {Element} target */
const click = (target) => target.dispatchEvent(new MouseEvent("click", { bubbles: true }));
/** @param {string} id */
const openTarget = (id) => {
  click(/** @type {HTMLElement} */ (card(id).querySelector('[data-field="target"]')));
  return /** @type {HTMLInputElement} */ ($('input[data-field="target-input"]'));
};

beforeEach(() => {
  el = document.createElement("div");
  document.body.append(el);
});

afterEach(() => {
  cleanup?.();
  el.remove();
});

describe("cards", () => {
  it("draws a card per metric with the protocol's hooks", () => {
    mount(revenueTree());
    expect(el.querySelectorAll("[data-metric]")).toHaveLength(8);
    const revenue = card("revenue");
    const value = /** @type {HTMLElement} */ (revenue.querySelector('[data-field="value"]'));
    const target = /** @type {HTMLElement} */ (revenue.querySelector('[data-field="target"]'));
    expect(value.textContent).toBe("$606k");
    expect(value.dataset.raw).toBe("606000");
    expect(target.textContent).toBe("$681k");
    expect(target.dataset.raw).toBe("681250");
    expect(revenue.classList.contains("kpt-status-off_track")).toBe(true);
    expect(card("signup_rate").querySelector('[data-field="value"]')?.textContent).toBe("2.5%");
    expect(card("returning_customers").querySelector(".kpt-var")?.textContent).toBe("+1.2%");
  });

  it("leaves data-raw empty for a missing number", () => {
    const data = revenueTree();
    data.metrics[2].value = null;
    mount(data);
    const value = /** @type {HTMLElement} */ (card("arpc").querySelector('[data-field="value"]'));
    expect(value.dataset.raw).toBe("");
    expect(value.textContent).toBe("\u2014");
  });

  it("shows markup in names as text", () => {
    const data = revenueTree();
    const evil = '<img src=x onerror="window.__pwned=1">';
    data.metrics[0].name = evil;
    data.metrics[0].description = evil;
    data.metrics[0].findings = [{ rule: evil, severity: "error", message: evil }];
    mount(data, { selected: "revenue" });
    expect(card("revenue").querySelector(".kpt-name")?.textContent).toBe(evil);
    expect(el.querySelector("img")).toBeNull();
    expect(el.textContent).toContain(evil);
  });

  it("draws relation symbols and dashed hypothesis links", () => {
    mount(revenueTree());
    const symbols = [...el.querySelectorAll(".kpt-junction text")].map((t) => t.textContent);
    expect(symbols).toEqual(["\u00d7", "\u03a3", "\u00d7"]);
    expect(el.querySelectorAll("path.kpt-edge-hypothesis")).toHaveLength(1);
  });

  it("collapses and expands a subtree", () => {
    mount(revenueTree());
    const toggle = /** @type {HTMLElement} */ (card("customers").querySelector(".kpt-toggle"));
    click(toggle);
    expect(card("new_customers")).toBeNull();
    expect(toggle.textContent).toBe("+5");
    click(toggle);
    expect(card("new_customers")).not.toBeNull();
    expect(card("signup_rate").querySelector(".kpt-toggle")?.hasAttribute("hidden")).toBe(true);
  });

  it("opens a big tree collapsed below level 2, quickly", () => {
    const data = bigTree(2000);
    const t0 = performance.now();
    mount(data);
    const elapsed = performance.now() - t0;
    const shown = [...el.querySelectorAll("[data-metric]")];
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.length).toBeLessThan(300);
    expect(elapsed).toBeLessThan(1500); // happy-dom under load; a browser takes ~50 ms
    click(/** @type {HTMLElement} */ ($(".kpt-btn[title='Open every subtree']")));
    expect(el.querySelectorAll("[data-metric]").length).toBeGreaterThan(shown.length);
  });
});

describe("editing", () => {
  it("sends a target edit on Enter and stops the key at the input", () => {
    mount(revenueTree());
    let reached = 0;
    document.body.addEventListener("keydown", () => reached++);
    const input = openTarget("signup_rate");
    expect(input.value).toBe("3%");
    input.value = "3.5%";
    const event = press(input, "Enter");
    expect(event.defaultPrevented).toBe(true);
    expect(reached).toBe(0);
    expect(model.sent).toEqual([
      { type: "edit", metric: "signup_rate", field: "target", text: "3.5%" },
    ]);
    expect($('input[data-field="target-input"]')).toBeNull();
    const target = /** @type {HTMLElement} */ (
      card("signup_rate").querySelector('[data-field="target"]')
    );
    expect(target.classList.contains("kpt-pending")).toBe(true);
    expect(target.textContent).toBe("3.5%");
    model.set("tree_data", revenueTree());
    expect(target.classList.contains("kpt-pending")).toBe(false);
    expect(target.textContent).toBe("3%");
  });

  it("sends nothing for unchanged text, Escape or a blur after Enter", () => {
    mount(revenueTree());
    let input = openTarget("arpc");
    press(input, "Enter");
    input = openTarget("arpc");
    input.value = "999";
    press(input, "Escape");
    input = openTarget("arpc");
    input.value = "130";
    press(input, "Enter");
    input.dispatchEvent(new FocusEvent("blur"));
    expect(model.sent).toEqual([{ type: "edit", metric: "arpc", field: "target", text: "130" }]);
  });

  it("commits on Tab and moves to the next card's target", () => {
    mount(revenueTree());
    const input = openTarget("revenue");
    input.value = "700k";
    press(input, "Tab");
    expect(model.sent).toEqual([
      { type: "edit", metric: "revenue", field: "target", text: "700k" },
    ]);
    const next = /** @type {HTMLInputElement} */ ($('input[data-field="target-input"]'));
    expect(next.closest("[data-metric]")?.getAttribute("data-metric")).toBe("customers");
    press(next, "Tab", true);
    expect(
      $('input[data-field="target-input"]')?.closest("[data-metric]")?.getAttribute("data-metric"),
    ).toBe("revenue");
  });

  it("edits values of inputs only", () => {
    mount(revenueTree());
    click(/** @type {HTMLElement} */ (card("revenue").querySelector('[data-field="value"]')));
    expect($('input[data-field="value-input"]')).toBeNull();
    click(/** @type {HTMLElement} */ (card("arpc").querySelector('[data-field="value"]')));
    const input = /** @type {HTMLInputElement} */ ($('input[data-field="value-input"]'));
    expect(input.value).toBe("120");
    input.value = "$130";
    press(input, "Enter");
    expect(model.sent).toEqual([{ type: "edit", metric: "arpc", field: "value", text: "$130" }]);
  });

  it("keeps an open editor and its text through a data update", () => {
    mount(revenueTree());
    const input = openTarget("arpc");
    input.value = "12";
    const data = revenueTree();
    data.metrics[2].value = 121;
    model.set("tree_data", data);
    expect($('input[data-field="target-input"]')).toBe(input);
    expect(input.value).toBe("12");
    expect(card("arpc").querySelector('[data-field="value"]')?.textContent).toBe("$121");
  });

  it("shows a rejected edit next to its field until the next success", () => {
    mount(revenueTree());
    const input = openTarget("signup_rate");
    input.value = "abc";
    press(input, "Enter");
    model.set("error", {
      metric: "signup_rate",
      field: "target",
      text: "abc",
      message: "signup_rate.target: 'abc' is not a number",
    });
    const error = /** @type {HTMLElement} */ (
      card("signup_rate").querySelector('[data-role="error"]')
    );
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.textContent).toBe("signup_rate.target: 'abc' is not a number");
    const target = /** @type {HTMLElement} */ (
      card("signup_rate").querySelector('[data-field="target"]')
    );
    expect(target.textContent).toBe("3%");
    expect(target.dataset.raw).toBe("0.03");
    expect(el.querySelectorAll('[data-role="error"]')).toHaveLength(1);
    model.set("error", {});
    expect(el.querySelector('[data-role="error"]')).toBeNull();
  });

  it("opens the editor from the keyboard", () => {
    mount(revenueTree());
    const target = /** @type {HTMLElement} */ (card("arpc").querySelector('[data-field="target"]'));
    expect(target.getAttribute("tabindex")).toBe("0");
    let reached = 0;
    document.body.addEventListener("keydown", () => reached++);
    press(target, "Enter");
    expect(
      $('input[data-field="target-input"]')?.closest("[data-metric]")?.getAttribute("data-metric"),
    ).toBe("arpc");
    expect(reached).toBe(0);
  });

  it("stops showing an edit as pending when Python never answers", () => {
    vi.useFakeTimers();
    try {
      mount(revenueTree());
      const input = openTarget("arpc");
      input.value = "125.0";
      press(input, "Enter");
      const target = /** @type {HTMLElement} */ (
        card("arpc").querySelector('[data-field="target"]')
      );
      expect(target.classList.contains("kpt-pending")).toBe(true);
      vi.advanceTimersByTime(6000);
      expect(target.classList.contains("kpt-pending")).toBe(false);
      expect(target.textContent).toBe("$125");
    } finally {
      vi.useRealTimers();
    }
  });

  it("shows other failures in a banner", () => {
    mount(revenueTree());
    model.set("error", { metric: null, field: null, message: "callback failed: boom" });
    const banner = /** @type {HTMLElement} */ ($('.kpt-banner[data-role="error"]'));
    expect(banner.textContent).toContain("callback failed: boom");
    expect(banner.getAttribute("role")).toBe("alert");
  });
});

describe("selection and panel", () => {
  it("selects a clicked card and shows its details", () => {
    mount(revenueTree());
    expect($(".kpt-panel").hidden).toBe(true);
    click(/** @type {HTMLElement} */ (card("customers").querySelector(".kpt-name")));
    expect(model.get("selected")).toBe("customers");
    expect(model.saves).toBe(1);
    expect(card("customers").classList.contains("kpt-selected")).toBe(true);
    const panel = $(".kpt-panel");
    expect(panel.hidden).toBe(false);
    expect(panel.textContent).toContain(
      "customers = new_customers + returning_customers - lost_customers",
    );
    expect(panel.textContent).toContain("VP Sales");
    expect(panel.textContent).toContain("Sales");
  });

  it("reflects a selection made in Python, opening collapsed ancestors", () => {
    mount(bigTree(2000));
    const deep = "m1999";
    expect(card(deep)).toBeNull();
    model.set("selected", deep);
    expect(card(deep)?.classList.contains("kpt-selected")).toBe(true);
    expect($(".kpt-panel-title").textContent).toBe("Metric 1999");
    model.set("selected", "");
    expect($(".kpt-panel").hidden).toBe(true);
  });

  it("offers solve-for on an explicit target", () => {
    mount(revenueTree(), { selected: "customers" });
    const panel = $(".kpt-panel");
    expect(panel.textContent).toContain("Inputs imply");
    expect(card("customers").querySelector(".kpt-gap")?.textContent).toBe("gap +150");
    const select = /** @type {HTMLSelectElement} */ (panel.querySelector(".kpt-solve-row select"));
    expect([...select.options].map((o) => o.value)).toEqual([
      "website_visitors",
      "signup_rate",
      "returning_customers",
      "lost_customers",
    ]);
    select.value = "signup_rate";
    select.dispatchEvent(new Event("change"));
    click(/** @type {HTMLElement} */ (panel.querySelector(".kpt-solve")));
    expect(model.sent).toEqual([{ type: "solve", metric: "customers", lever: "signup_rate" }]);
  });

  it("lists findings with their severity", () => {
    mount(revenueTree(), { selected: "signup_rate" });
    const finding = /** @type {HTMLElement} */ ($(".kpt-finding"));
    expect(finding.classList.contains("kpt-sev-warning")).toBe(true);
    expect(finding.textContent).toContain("Target is 20% above the best month.");
  });
});

describe("pickers and lifecycle", () => {
  it("shows period and scenario pickers only when there is a choice", () => {
    mount(revenueTree());
    const period = /** @type {HTMLSelectElement} */ ($(".kpt-period"));
    expect(period.closest("label")?.hidden).toBe(false);
    expect(period.value).toBe("2026-03");
    period.value = "2026-01";
    period.dispatchEvent(new Event("change"));
    expect(model.get("period")).toBe("2026-01");
    const scenario = /** @type {HTMLSelectElement} */ ($(".kpt-scenario"));
    scenario.value = "upside";
    scenario.dispatchEvent(new Event("change"));
    expect(model.get("scenario")).toBe("upside");
    expect(model.saves).toBe(2);
    model.set("scenario", ""); // Python rejected it and rolled back
    expect(scenario.value).toBe("");
    cleanup();
    mount(bigTree(10));
    expect($(".kpt-period").closest("label")?.hidden).toBe(true);
    expect($(".kpt-scenario").closest("label")?.hidden).toBe(true);
  });

  it("draws metrics outside the formula tree and an empty tree", () => {
    const data = revenueTree();
    data.metrics.push(metric({ id: "onboarding", name: "Onboarding NPS" }));
    data.hypotheses.push({ from: "onboarding", to: "lost_customers", sign: "-" });
    mount(data);
    expect(card("onboarding")).not.toBeNull();
    expect(el.querySelectorAll("path.kpt-edge-hypothesis")).toHaveLength(2);
    model.set("tree_data", {});
    expect(el.querySelectorAll("[data-metric]")).toHaveLength(0);
    expect($(".kpt-empty").hidden).toBe(false);
  });

  it("zooms with the buttons and keeps their keys from the notebook", () => {
    mount(revenueTree());
    const stage = $(".kpt-stage");
    const scale = () => Number(/scale\(([\d.]+)\)/.exec(stage.style.transform)?.[1]);
    const before = scale();
    const zoomIn = /** @type {HTMLElement} */ ($(".kpt-btn[title='Zoom in']"));
    click(zoomIn);
    expect(scale()).toBeCloseTo(before * 1.25);
    let reached = 0;
    document.body.addEventListener("keydown", () => reached++);
    press(zoomIn, "a");
    expect(reached).toBe(0);
  });

  it("opens with the selection from Python", () => {
    mount(revenueTree(), { selected: "arpc" });
    expect(card("arpc").classList.contains("kpt-selected")).toBe(true);
    expect($(".kpt-panel-title").textContent).toBe("Avg revenue per customer");
  });

  it("removes its DOM and every model listener on cleanup", () => {
    mount(revenueTree());
    const count = () => [...model.listeners.values()].reduce((n, s) => n + s.size, 0);
    expect(count()).toBe(5);
    cleanup();
    expect(count()).toBe(0);
    expect(el.children).toHaveLength(0);
  });
});
