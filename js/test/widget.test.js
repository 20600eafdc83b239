// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CARD_H, CARD_W, layoutTree } from "../layout.js";
import { indexTree } from "../tree.js";
import { autoHeight, READABLE_SCALE } from "../viewport.js";
import widget, { AUTO_FIT_MIN_SCALE } from "../widget.js";
import { focusText } from "../toolbar.js";
import { ANSWER_TIMEOUT_MS } from "../request.js";
import { bigTree, focused, metric, revenueTree, toStructure } from "./fixtures.js";

/**
 * A stand-in for anywidget's model: traits in a plain object, events by name.
 * @param {Record<string, any>} state
 */
function fakeModel(state) {
  /** @type {Map<string, Set<(...args: any[]) => void>>} */
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
     * @param {(...args: any[]) => void} cb
     */
    on(event, cb) {
      listeners.set(event, (listeners.get(event) ?? new Set()).add(cb));
    },
    /**
     * @param {string} event
     * @param {(...args: any[]) => void} cb
     */
    off(event, cb) {
      listeners.get(event)?.delete(cb);
    },
    /** @param {object} msg */
    send: (msg) => sent.push(msg),
    save_changes() {
      model.saves++;
    },
    /**
     * A custom message from Python.
     * @param {object} msg
     */
    custom(msg) {
      listeners.get("msg:custom")?.forEach((cb) => cb(msg, []));
    },
    /** The requests the view sent, as `{type: name, ...msg}` (snapshot requests left out). */
    requests() {
      return /** @type {{id: string, name: string, msg: object}[]} */ (sent)
        .filter((m) => m.name !== "snapshot")
        .map((m) => ({ type: m.name, ...m.msg }));
    },
    /**
     * Answer the last request named `name` as Python does.
     * @param {string} name
     * @param {object} response
     */
    answer(name, response) {
      const request = /** @type {{id: string, name: string}[]} */ (sent)
        .filter((m) => m.name === name)
        .at(-1);
      model.custom({ kind: "anywidget-command-response", id: request?.id, response });
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
    structure: toStructure(data),
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

/** The stage's transform, parsed. */
const transform = () => {
  const m = /translate\(([-\d.e]+)px, ([-\d.e]+)px\) scale\(([\d.e]+)\)/.exec(
    $(".kpt-stage").style.transform,
  );
  return { x: Number(m?.[1]), y: Number(m?.[2]), k: Number(m?.[3]) };
};

/**
 * Give the view a browser's box sizes (happy-dom does no layout): the viewport
 * `view.width` x `view.height`, the panel `panel` wide when shown, the widget `chrome` taller
 * than its viewport. Returns the undo.
 * @param {{width: number, height: number}} view
 * @param {{panel?: number, chrome?: number}} [options]
 */
function fakeLayout(view, { panel = 300, chrome = 40 } = {}) {
  /** @param {HTMLElement} node */
  const size = (node) => {
    if (node.classList.contains("kpt-viewport")) return [view.width, view.height];
    if (node.classList.contains("kpt-panel")) return node.hidden ? [0, 0] : [panel, view.height];
    if (node.classList.contains("kpt-root")) return [view.width + 2, view.height + chrome];
    return [0, 0];
  };
  const props = /** @type {const} */ ([
    ["clientWidth", 0],
    ["clientHeight", 1],
    ["offsetWidth", 0],
    ["offsetHeight", 1],
  ]);
  const proto = HTMLElement.prototype;
  const saved = props.map(([name]) => Object.getOwnPropertyDescriptor(proto, name));
  for (const [name, i] of props) {
    Object.defineProperty(proto, name, {
      configurable: true,
      get() {
        return size(this)[i];
      },
    });
  }
  return () =>
    props.forEach(([name], i) => {
      const d = saved[i];
      if (d) Object.defineProperty(proto, name, d);
      else delete (/** @type {any} */ (proto))[name];
    });
}

/** A chain of `depth` metrics, each the parent of the next: wider than any view. */
function deepTree(depth = 7) {
  /** @type {import("../types.js").Metric[]} */
  const metrics = [];
  /**
   * @param {string} id
   * @param {number} level
   * @param {string | null} parent
   */
  const add = (id, level, parent) => {
    const kids = level + 1 < depth ? [`${id}a`] : [];
    metrics.push(
      metric({
        id,
        name: `Metric ${id}`,
        parent,
        level,
        children: kids,
        formula: kids.length ? kids.join(" + ") : null,
        relation: kids.length ? "sum" : null,
        value: 1,
        target: 1,
        status: "on_track",
      }),
    );
    kids.forEach((k) => add(k, level + 1, id));
  };
  add("m", 0, null);
  return { ...revenueTree(), name: "deep", root: "m", metrics, hypotheses: [] };
}

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

  it("links a guard metric to the metric it guards by one dotted guard line", () => {
    const data = revenueTree();
    data.metrics.push(
      metric({
        id: "discount_share",
        name: "Discount share",
        parent: "arpc",
        level: 2,
        link: "guard",
        guards: "arpc",
      }),
    );
    mount(data);
    const guards = el.querySelectorAll("path.kpt-edge-guard");
    expect(guards).toHaveLength(1);
    const path = /** @type {SVGPathElement} */ (guards[0]);
    expect(path.dataset.guard).toBe("discount_share");
    expect(path.dataset.guards).toBe("arpc");
    expect(path.getAttribute("marker-end")).toBeNull(); // no arrow: neither drives the other
    expect(path.querySelector("title")?.textContent).toBe(
      "Guard: Discount share keeps Avg revenue per customer in check",
    );
    // it starts on the guard's card and ends on the guarded card (their left/top in px)
    const at = (/** @type {string} */ id) =>
      [card(id).style.left, card(id).style.top].map(parseFloat);
    const [gx, gy] = at("discount_share");
    const [ax, ay] = at("arpc");
    const d = path.getAttribute("d") ?? "";
    const numbers = (d.match(/-?[\d.]+/g) ?? []).map(Number);
    expect(numbers[0]).toBeCloseTo(gx, 6); // from the guard's card...
    expect(numbers[1]).toBeCloseTo(gy + CARD_H / 2, 6);
    expect(numbers.at(-2)).toBeCloseTo(ax + CARD_W, 6); // ...to the guarded card's side
    expect(numbers.at(-1)).toBeCloseTo(ay + CARD_H / 2, 6);
  });

  it("draws no guard line on a tree without guards", () => {
    mount(revenueTree());
    expect(el.querySelectorAll(".kpt-edge-guard")).toHaveLength(0);
  });

  it("explains relation symbols and hypothesis signs in tooltips", () => {
    mount(revenueTree());
    const titles = [...el.querySelectorAll(".kpt-junction > title")].map((t) => t.textContent);
    expect(titles).toEqual([
      "product: customers * arpc",
      "sum: new_customers + returning_customers - lost_customers",
      "product: website_visitors * signup_rate",
    ]);
    const badge = /** @type {Element} */ (el.querySelector(".kpt-hyp-badge"));
    expect(badge.querySelector("text")?.textContent).toBe("+");
    expect(badge.querySelector("title")?.textContent).toBe(
      "Hypothesis: Avg revenue per customer \u2192 Lost customers (+): Price rises drive churn",
    );
  });

  it("keeps the whole name, as text, in the name's title", () => {
    const data = revenueTree();
    const long = "Marketing-qualified leads from <b>paid</b> and organic channels";
    data.metrics[3].name = long;
    mount(data);
    const name = /** @type {HTMLElement} */ (card("new_customers").querySelector(".kpt-name"));
    expect(name.textContent).toBe(long);
    expect(name.title).toBe(`${long} (new_customers)`);
    expect(name.children).toHaveLength(0);
    expect(card("revenue").style.getPropertyValue("width")).toBe(""); // size from the CSS
    const root = /** @type {HTMLElement} */ ($(".kpt-root"));
    expect(root.style.getPropertyValue("--kpt-card-h")).toBe(`${CARD_H}px`);
    expect(root.style.getPropertyValue("--kpt-card-w")).toBe(`${CARD_W}px`);
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
    expect(model.requests()).toEqual([
      { type: "edit", metric: "signup_rate", field: "target", text: "3.5%" },
    ]);
    expect($('input[data-field="target-input"]')).toBeNull();
    const target = /** @type {HTMLElement} */ (
      card("signup_rate").querySelector('[data-field="target"]')
    );
    expect(target.classList.contains("kpt-pending")).toBe(true);
    expect(target.textContent).toBe("3.5%");
    model.set("structure", toStructure(revenueTree()));
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
    expect(model.requests()).toEqual([{ type: "edit", metric: "arpc", field: "target", text: "130" }]);
  });

  it("commits on Tab and moves to the next card's target", () => {
    mount(revenueTree());
    const input = openTarget("revenue");
    input.value = "700k";
    press(input, "Tab");
    expect(model.requests()).toEqual([
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
    expect(model.requests()).toEqual([{ type: "edit", metric: "arpc", field: "value", text: "$130" }]);
  });

  it("keeps an open editor and its text through a data update", () => {
    mount(revenueTree());
    const input = openTarget("arpc");
    input.value = "12";
    const data = revenueTree();
    data.metrics[2].value = 121;
    model.set("structure", toStructure(data));
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

  it("puts a rejected edit's message inside its card and, whole, in the banner", () => {
    mount(revenueTree());
    const message = "'abc' is not a number (try 1200, 1.2k, 12% or $1,200)";
    model.set("error", { metric: "signup_rate", field: "target", text: "abc", message });
    const box = card("signup_rate");
    const error = /** @type {HTMLElement} */ (box.querySelector('[data-role="error"]'));
    // in the card's flow, where the owner line was (the card keeps its size)
    expect(error.parentElement).toBe(box);
    expect(error.nextElementSibling?.classList.contains("kpt-card-foot")).toBe(true);
    expect(box.classList.contains("kpt-has-error")).toBe(true);
    expect(error.classList.contains("kpt-error-at-target")).toBe(true);
    expect(error.title).toBe(message);
    const target = /** @type {HTMLElement} */ (box.querySelector('[data-field="target"]'));
    expect(target.getAttribute("aria-invalid")).toBe("true");
    expect(target.getAttribute("aria-describedby")).toBe(error.id);
    expect(box.querySelector('[data-field="value"]')?.hasAttribute("aria-invalid")).toBe(false);
    // the first data-role="error" in the output is the one beside the field
    expect(el.querySelector('[data-role="error"]')).toBe(error);
    const banner = /** @type {HTMLElement} */ ($(".kpt-banner"));
    expect(banner.getAttribute("data-role")).toBe("error-summary");
    expect(banner.textContent).toContain(`Signup rate \u00b7 target: ${message}`);
    // dismissed, it stays away through redraws until the next error
    click(/** @type {HTMLElement} */ (banner.querySelector(".kpt-banner-close")));
    expect($(".kpt-banner")).toBeNull();
    model.set("structure", toStructure(revenueTree()));
    expect($(".kpt-banner")).toBeNull();
    expect(card("signup_rate").querySelector('[data-role="error"]')).not.toBeNull();
    model.set("error", { metric: "arpc", field: "value", text: "x", message: "no" });
    expect($(".kpt-banner")?.textContent).toContain("Avg revenue per customer \u00b7 value: no");
    expect(card("signup_rate").querySelector('[data-role="error"]')).toBeNull();
    expect(target.hasAttribute("aria-invalid")).toBe(false);
    model.set("error", {});
    expect($(".kpt-banner")).toBeNull();
  });

  it("carries data-role=error in the banner when the metric is not drawn", () => {
    mount(bigTree(2000));
    model.set("error", { metric: "m1999", field: "target", text: "x", message: "bad" });
    const banner = /** @type {HTMLElement} */ ($('.kpt-banner[data-role="error"]'));
    expect(banner.textContent).toContain("bad");
    // "Show" opens the ancestors: the card then holds the message, the banner a copy
    click(/** @type {HTMLElement} */ (banner.querySelector(".kpt-banner-where")));
    expect(card("m1999")?.querySelector('[data-role="error"]')?.textContent).toBe("bad");
    expect($(".kpt-banner")?.getAttribute("data-role")).toBe("error-summary");
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

  it("stops showing an edit as pending when Python answers that request", () => {
    mount(revenueTree());
    const input = openTarget("arpc");
    input.value = "125.0";
    press(input, "Enter");
    const target = /** @type {HTMLElement} */ (card("arpc").querySelector('[data-field="target"]'));
    expect(target.classList.contains("kpt-pending")).toBe(true);
    model.answer("edit", { ok: true, revision: 1, error: null });
    return Promise.resolve().then(() => {
      expect(target.classList.contains("kpt-pending")).toBe(false);
      expect(target.textContent).toBe("$125");
    });
  });

  it("shows a refused edit from its answer, beside the field", async () => {
    mount(revenueTree());
    const input = openTarget("signup_rate");
    input.value = "abc";
    press(input, "Enter");
    const error = {
      metric: "signup_rate",
      field: "target",
      period: null,
      text: "abc",
      message: "'abc' is not a number",
    };
    model.answer("edit", { ok: false, revision: 1, error });
    await Promise.resolve();
    const shown = card("signup_rate").querySelector('[data-role="error"]');
    expect(shown?.textContent).toBe("'abc' is not a number");
    expect(card("signup_rate").querySelector('[data-field="target"]')?.textContent).toBe("3%");
  });

  it("says so when Python never answers an edit", async () => {
    vi.useFakeTimers();
    try {
      mount(revenueTree());
      const input = openTarget("arpc");
      input.value = "126";
      press(input, "Enter");
      const target = /** @type {HTMLElement} */ (
        card("arpc").querySelector('[data-field="target"]')
      );
      expect(target.classList.contains("kpt-pending")).toBe(true);
      vi.advanceTimersByTime(ANSWER_TIMEOUT_MS + 1);
      await Promise.resolve();
      await Promise.resolve();
      expect(target.classList.contains("kpt-pending")).toBe(false);
      expect(target.textContent).toBe("$125");
      expect(card("arpc").querySelector('[data-role="error"]')?.textContent).toContain(
        "did not answer",
      );
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
    const input = (/** @type {string} */ hook) =>
      /** @type {HTMLInputElement} */ (panel.querySelector(`[data-field="${hook}"]`)).value;
    expect(input("formula-input")).toBe(
      "new_customers + returning_customers - lost_customers",
    );
    expect(input("owner-input")).toBe("VP Sales");
    expect(panel.textContent).toContain("Sales");
  });

  it("shows every digit in the panel where the card is compact", () => {
    mount(revenueTree());
    click(/** @type {HTMLElement} */ (card("revenue").querySelector(".kpt-name")));
    const panel = $(".kpt-panel");
    expect(card("revenue").querySelector('[data-field="value"]')?.textContent).toBe("$606k");
    expect(panel.textContent).toContain("$606,000");
    expect(panel.textContent).toContain("$681,250");
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
    expect(model.requests()).toEqual([{ type: "solve", metric: "customers", lever: "signup_rate" }]);
  });

  it("shows a metric's bounds in the panel", () => {
    const data = revenueTree();
    data.metrics = data.metrics.map((m) =>
      m.id === "signup_rate" ? { ...m, unit: "percent", min: 0, max: 1 } : m,
    );
    mount(data, { selected: "signup_rate" });
    expect($(".kpt-panel").textContent).toContain("Bounds0% to 100%");
    model.set("selected", "arpc"); // no bounds: no row
    expect($(".kpt-panel").textContent).not.toContain("Bounds");
  });

  it("shows a solve's note in the banner until the next solve", async () => {
    mount(revenueTree(), { selected: "customers" });
    const solve = () => click(/** @type {HTMLElement} */ ($(".kpt-panel .kpt-solve")));
    solve();
    const note = "signup_rate's target 9% lies outside everything it has done (its values: 2% to 3%)";
    model.answer("solve", { ok: true, revision: 2, error: null, note });
    await Promise.resolve();
    const banner = $('[data-role="solve-note"]');
    expect(banner?.textContent).toContain(note);
    expect($('[data-role="error"]')).toBeNull();
    solve();
    expect($('[data-role="solve-note"]')).toBeNull(); // cleared when the next solve is sent
    model.answer("solve", { ok: true, revision: 3, error: null });
    await Promise.resolve();
    expect($('[data-role="solve-note"]')).toBeNull();
  });

  it("lists findings with their severity", () => {
    mount(revenueTree(), { selected: "signup_rate" });
    const finding = /** @type {HTMLElement} */ ($(".kpt-finding"));
    expect(finding.classList.contains("kpt-sev-warning")).toBe(true);
    expect(finding.textContent).toContain("Target is 20% above the best month.");
  });
});

describe("scale, fit and the panel", () => {
  /** @type {(() => void) | undefined} */
  let undo;
  afterEach(() => {
    undo?.();
    undo = undefined;
  });

  it("fits first at a readable scale, the root's column at the left", () => {
    undo = fakeLayout({ width: 1000, height: 560 });
    mount(deepTree(7));
    const t = transform();
    expect(t.k).toBe(AUTO_FIT_MIN_SCALE);
    expect(AUTO_FIT_MIN_SCALE).toBeGreaterThanOrEqual(0.75);
    expect(parseFloat(card("m").style.left) * t.k + t.x).toBeCloseTo(8);
    // the Fit button shows more, smaller, but never below a readable scale
    click(/** @type {HTMLElement} */ ($(".kpt-fit")));
    expect(transform().k).toBeLessThan(AUTO_FIT_MIN_SCALE);
    expect(transform().k).toBeGreaterThanOrEqual(READABLE_SCALE);
  });

  it("never re-fits or rescales for a selection, the panel or an edit", () => {
    const view = { width: 1000, height: 560 };
    undo = fakeLayout(view);
    mount(revenueTree());
    const first = transform();
    view.width = 700; // as if the canvas had narrowed: nothing here may fit again
    const input = openTarget("signup_rate"); // selects the card: the panel opens
    expect($(".kpt-panel").hidden).toBe(false);
    const opened = transform();
    expect(opened.k).toBe(first.k);
    input.value = "4%";
    press(input, "Enter");
    model.set("structure", toStructure(revenueTree()));
    model.set("error", { metric: "signup_rate", field: "target", text: "x", message: "no" });
    model.set("error", {});
    click(/** @type {HTMLElement} */ ($(".kpt-panel-close")));
    expect($(".kpt-panel").hidden).toBe(true);
    expect(transform()).toEqual(opened);
  });

  it("pans a selected card out from under the panel, keeping the scale", () => {
    undo = fakeLayout({ width: 1000, height: 560 }, { panel: 300 });
    mount(revenueTree());
    const before = transform();
    const box = card("signup_rate");
    const right = () => (parseFloat(box.style.left) + CARD_W) * transform().k + transform().x;
    expect(right()).toBeGreaterThan(700); // under where the panel opens
    click(/** @type {HTMLElement} */ (box.querySelector(".kpt-name")));
    expect(transform().k).toBe(before.k);
    expect(transform().y).toBe(before.y);
    expect(right()).toBeCloseTo(700 - 8); // the least pan that shows it
  });

  it("sizes the widget to its tree once, between 320 and 720 px", () => {
    undo = fakeLayout({ width: 966, height: 560 }, { chrome: 40 });
    mount(revenueTree());
    const root = /** @type {HTMLElement} */ ($(".kpt-root"));
    const data = revenueTree();
    const content = layoutTree(indexTree(data), new Set(), data.hypotheses);
    const want = autoHeight(content, 966, { chrome: 40, padding: 8, minScale: 0.75 });
    expect(root.style.height).toBe(`${want}px`);
    expect(want).toBeGreaterThan(320);
    expect(want).toBeLessThan(720);
    cleanup();
    mount(bigTree(2000));
    expect($(".kpt-root").style.height).toBe("720px");
    cleanup();
    mount(deepTree(3)); // one row of cards
    expect($(".kpt-root").style.height).toBe("320px");
  });

  it("keeps a height set by hand", () => {
    undo = fakeLayout({ width: 966, height: 560 });
    mount(revenueTree());
    const root = /** @type {HTMLElement} */ ($(".kpt-root"));
    root.style.height = "450px"; // the resize handle
    model.set("structure", toStructure({ ...deepTree(3), name: "another tree" }));
    expect(root.style.height).toBe("450px");
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
    model.set("structure", toStructure({}));
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
    // ten traits, the numbers deltas and the answers to requests
    expect(count()).toBe(12);
    cleanup();
    expect(count()).toBe(0);
    expect(el.children).toHaveLength(0);
  });
});

describe("focus", () => {
  const FOCUS = ["signup_rate", "arpc"];
  /** @param {Record<string, any>} [extra] */
  const mountFocused = (extra = {}) =>
    mount(focused(revenueTree(), FOCUS), { focus: [...FOCUS], ...extra });
  const chip = () => $('[data-role="focus"]');
  /** @param {string} selector  the ids of the cards it matches, sorted */
  const ids = (selector) =>
    [...el.querySelectorAll(selector)].map((c) => String(c.getAttribute("data-metric"))).sort();
  const drawn = () => ids("[data-metric]");
  const muted = () => ids("[data-metric].kpt-context");

  /** @type {(() => void) | undefined} */
  let undo;
  afterEach(() => {
    undo?.();
    undo = undefined;
  });

  it("draws the context metrics muted, their status still in words", () => {
    mountFocused();
    expect(drawn()).toEqual(["arpc", "customers", "new_customers", "revenue", "signup_rate"]);
    expect(muted()).toEqual(["customers", "new_customers", "revenue"]);
    const revenue = card("revenue");
    expect(revenue.dataset.status).toBe("off_track");
    expect(revenue.classList.contains("kpt-status-off_track")).toBe(true);
    expect(revenue.title).toBe("Context: shown to connect the focus to the root \u00b7 Off track");
    expect(revenue.querySelector(".kpt-var")?.getAttribute("title")).toMatch(/^Off track: /);
    // the focus metrics are drawn as always
    expect(card("signup_rate").title).toBe("");
    expect(card("signup_rate").classList.contains("kpt-status-off_track")).toBe(true);
    // context cards take edits like any card
    const input = openTarget("customers");
    input.value = "6000";
    press(input, "Enter");
    expect(model.requests()).toEqual([
      { type: "edit", metric: "customers", field: "target", text: "6000" },
    ]);
  });

  it("draws no card muted without a focus", () => {
    mount(revenueTree());
    expect(muted()).toEqual([]);
    expect(chip().hidden).toBe(true);
    expect(card("revenue").hasAttribute("title")).toBe(false);
  });

  it("says what a focus shows and drops it with Show all", () => {
    mountFocused();
    expect(chip().hidden).toBe(false);
    expect(chip().textContent).toBe("Showing 5 metrics \u00b7 Show all");
    expect(chip().title).toBe("2 in focus, 3 more (faded) connecting them to the root");
    const showAll = /** @type {HTMLButtonElement} */ (chip().querySelector("button"));
    expect(showAll.textContent).toBe("Show all");
    let reached = 0;
    document.body.addEventListener("keydown", () => reached++);
    press(showAll, "Enter");
    expect(reached).toBe(0); // keys on it never reach the notebook
    click(showAll);
    expect(model.get("focus")).toBeNull();
    expect(model.saves).toBe(1);
    expect(chip().hidden).toBe(true); // at once, before Python answers
    model.set("structure", toStructure(revenueTree())); // Python's answer: the whole tree
    expect(drawn()).toHaveLength(8);
    expect(muted()).toEqual([]);
    expect(chip().hidden).toBe(true);
  });

  it("counts the whole tree when Python says how big it is", () => {
    mount(revenueTree());
    model.set("focus", ["lost_customers"]);
    model.set("structure", toStructure({ ...focused(revenueTree(), ["lost_customers"]), total_metrics: 8 }));
    expect(chip().textContent).toBe("Showing 3 of 8 metrics \u00b7 Show all");
  });

  it("follows a focus set in Python", () => {
    mount(revenueTree());
    model.set("focus", ["lost_customers"]); // Python sends the trait, then its tree_data
    model.set("structure", toStructure(focused(revenueTree(), ["lost_customers"])));
    expect(drawn()).toEqual(["customers", "lost_customers", "revenue"]);
    expect(muted()).toEqual(["customers", "revenue"]);
    expect(chip().textContent).toBe("Showing 3 metrics \u00b7 Show all");
    // a focus of the root alone: nothing is context
    model.set("focus", []);
    model.set("structure", toStructure(focused(revenueTree(), ["revenue"])));
    expect(drawn()).toEqual(["revenue"]);
    expect(muted()).toEqual([]);
    expect(chip().textContent).toBe("Showing 1 metric \u00b7 Show all");
    model.set("focus", null);
    model.set("structure", toStructure(revenueTree()));
    expect(chip().hidden).toBe(true);
  });

  it("fits a new focus like a new tree, and keeps the scale for new numbers", () => {
    undo = fakeLayout({ width: 1000, height: 560 });
    mount(revenueTree());
    const whole = transform();
    cleanup();
    mountFocused();
    click(/** @type {HTMLElement} */ ($(".kpt-btn[title='Zoom in']")));
    const zoomed = transform();
    model.set("structure", toStructure(focused(revenueTree(), FOCUS))); // an edit's answer
    expect(transform()).toEqual(zoomed);
    click(/** @type {HTMLElement} */ (chip().querySelector("button")));
    model.set("structure", toStructure(revenueTree()));
    expect(transform()).toEqual(whole); // as if the whole tree had just been opened
  });

  it("counts against the whole tree when its size is known", () => {
    expect(focusText({ shown: 16, focused: 9, total: 20 })).toBe("Showing 16 of 20 metrics");
    expect(focusText({ shown: 16, focused: 9, total: null })).toBe("Showing 16 metrics");
    expect(focusText({ shown: 1, focused: 1, total: null })).toBe("Showing 1 metric");
  });
});

describe("numbers deltas", () => {
  /**
   * A delta as Python sends it, for the structure mounted.
   * @param {Record<string, Partial<import("../types.js").MetricNumbers>>} metrics
   * @param {number} [base]
   */
  const delta = (metrics, base = 1) => ({
    kind: "numbers",
    structure: model.get("structure").key,
    revision: base + 1,
    base,
    metrics,
  });

  it("updates only the cards a delta names, with Python's text, and keeps the layout", () => {
    mount(revenueTree());
    const before = transform();
    const arpc = card("arpc");
    const untouched = card("customers").querySelector('[data-field="target"]');
    const edges = $(".kpt-edges").innerHTML;
    model.custom(
      delta({
        arpc: { target: 130, text: { value: "$120", target: "$130", implied_target: "\u2014", variance: "\u2212$10", variance_pct: "\u22127.7%" } },
        revenue: { target: 650000, status: "at_risk" },
      }),
    );
    expect(card("arpc")).toBe(arpc); // the same card, updated in place
    const target = /** @type {HTMLElement} */ (arpc.querySelector('[data-field="target"]'));
    expect(target.textContent).toBe("$130");
    expect(target.dataset.raw).toBe("130");
    expect(arpc.querySelector(".kpt-var")?.textContent).toBe("\u22127.7%");
    expect(card("revenue").dataset.status).toBe("at_risk");
    expect(card("revenue").querySelector('[data-field="target"]')?.getAttribute("data-raw")).toBe(
      "650000",
    );
    expect(card("customers").querySelector('[data-field="target"]')).toBe(untouched);
    expect(transform()).toEqual(before);
    expect($(".kpt-edges").innerHTML).toBe(edges); // no new layout
  });

  it("ignores a delta for another structure or an old revision", () => {
    mount(revenueTree());
    const raw = () => card("arpc").querySelector('[data-field="target"]')?.getAttribute("data-raw");
    model.custom({ ...delta({ arpc: { target: 1 } }), structure: -1 });
    model.custom({ ...delta({ arpc: { target: 2 } }, 0), revision: 1 });
    expect(raw()).toBe("125");
  });

  it("asks for every number when it missed a delta, and draws the answer", async () => {
    mount(revenueTree());
    const asked = () => model.sent.filter((m) => /** @type {any} */ (m).name === "snapshot");
    expect(asked()).toHaveLength(1); // on render: the trait's snapshot may be old
    model.custom(delta({ arpc: { target: 140 } }, 5)); // revision 5 never arrived here
    expect(asked()).toHaveLength(2);
    const numbers = { ...delta({ arpc: { target: 141 } }, 0), revision: 9, base: null };
    model.answer("snapshot", { ok: true, revision: 9, error: null, numbers });
    await Promise.resolve();
    expect(card("arpc").querySelector('[data-field="target"]')?.getAttribute("data-raw")).toBe(
      "141",
    );
    model.custom(delta({ arpc: { target: 142 } }, 9)); // deltas apply again from there
    expect(card("arpc").querySelector('[data-field="target"]')?.getAttribute("data-raw")).toBe(
      "142",
    );
  });
});

describe("navigation", () => {
  /** @type {(() => void) | undefined} */
  let undo;
  afterEach(() => {
    undo?.();
    undo = undefined;
    vi.useRealTimers();
  });

  /**
   * A wheel event over the viewport (happy-dom's WheelEvent drops modifiers and position).
   * @param {{deltaY: number, ctrlKey?: boolean}} init
   */
  const wheel = ({ deltaY, ctrlKey = false }) => {
    const e = new WheelEvent("wheel", { deltaY, bubbles: true, cancelable: true });
    Object.defineProperties(e, {
      ctrlKey: { value: ctrlKey },
      metaKey: { value: false },
      clientX: { value: 100 },
      clientY: { value: 100 },
    });
    $(".kpt-viewport").dispatchEvent(e);
    return e;
  };
  const notice = () => /** @type {HTMLElement} */ ($('[data-role="notice"]'));
  const search = () => /** @type {HTMLInputElement} */ ($('input[data-role="search"]'));
  /** @param {string} text */
  const type = (text) => {
    search().value = text;
    search().dispatchEvent(new Event("input"));
  };
  const options = () =>
    [...el.querySelectorAll('[data-role="search-results"] [data-option]')].map((o) =>
      o.getAttribute("data-option"),
    );

  it("leaves a plain wheel to the notebook and says how to zoom", () => {
    vi.useFakeTimers();
    mount(revenueTree());
    const before = transform();
    const plain = wheel({ deltaY: 120 });
    expect(plain.defaultPrevented).toBe(false); // the page scrolls
    expect(transform()).toEqual(before);
    expect(notice().hidden).toBe(false);
    expect(notice().dataset.kind).toBe("wheel");
    expect(notice().textContent).toContain("scroll to zoom");
    vi.advanceTimersByTime(2000);
    expect(notice().hidden).toBe(true);
    const zoom = wheel({ deltaY: -120, ctrlKey: true });
    expect(zoom.defaultPrevented).toBe(true);
    expect(transform().k).toBeGreaterThan(before.k);
  });

  it("suggests metrics by name, id or owner and reveals the first on Enter", () => {
    undo = fakeLayout({ width: 1000, height: 560 }, { panel: 300 });
    const data = bigTree(250);
    mount(data);
    const deep = data.metrics.at(-1)?.id ?? "";
    expect(card(deep)).toBeNull(); // collapsed away
    type(`Metric ${deep.slice(1)}`);
    expect(options()[0]).toBe(deep);
    expect($('[data-role="search-results"]').hidden).toBe(false);
    let reached = 0;
    document.body.addEventListener("keydown", () => reached++);
    const enter = press(search(), "Enter");
    expect(enter.defaultPrevented).toBe(true);
    expect(reached).toBe(0); // never a notebook shortcut
    expect($('[data-role="search-results"]').hidden).toBe(true);
    expect(model.get("selected")).toBe(deep);
    const found = card(deep);
    expect(found.classList.contains("kpt-selected")).toBe(true);
    // centred beside the panel (which takes the right 300 px), at a readable scale
    const t = transform();
    expect(t.k).toBeGreaterThanOrEqual(READABLE_SCALE);
    const cx = (parseFloat(found.style.left) + CARD_W / 2) * t.k + t.x;
    const cy = (parseFloat(found.style.top) + CARD_H / 2) * t.k + t.y;
    expect(cx).toBeCloseTo(350);
    expect(cy).toBeCloseTo(280);
  });

  it("moves through the suggestions with the arrows, and says when nothing matches", () => {
    mount(revenueTree());
    type("customers");
    expect(options()).toEqual(["customers", "new_customers", "returning_customers", "lost_customers"]);
    press(search(), "ArrowDown");
    expect($(".kpt-search-option.kpt-active").getAttribute("data-option")).toBe("new_customers");
    press(search(), "Enter");
    expect(model.get("selected")).toBe("new_customers");
    type("ceo"); // the owner
    expect(options()).toEqual(["revenue"]);
    expect($(".kpt-search-note").textContent).toBe("CEO");
    type("nothing like it");
    expect(options()).toEqual([]);
    expect($('[data-role="search-results"]').textContent).toContain("No metric matches");
    press(search(), "Escape");
    expect($('[data-role="search-results"]').hidden).toBe(true);
  });

  it("shows an overview past 50 metrics, whose click centres the view there", () => {
    undo = fakeLayout({ width: 1000, height: 560 });
    mount(revenueTree());
    expect($('[data-role="minimap"]').hidden).toBe(true);
    cleanup();
    mount(bigTree(250));
    const minimap = $('[data-role="minimap"]');
    expect(minimap.hidden).toBe(false);
    const boxes = minimap.querySelectorAll(".kpt-minimap-box");
    expect(boxes.length).toBe(el.querySelectorAll("[data-metric]").length);
    expect(minimap.querySelector(".kpt-minimap-box.kpt-status-off_track")).not.toBeNull();
    const frame = () => Number(minimap.querySelector(".kpt-minimap-frame")?.getAttribute("width"));
    expect(frame()).toBeGreaterThan(0);
    // a click at overview pixel (30, 40): that content point comes to the view's centre
    const svgEl = /** @type {SVGSVGElement} */ (minimap.querySelector("svg"));
    const cards = [...el.querySelectorAll("[data-metric]")].map((c) => /** @type {HTMLElement} */ (c));
    const layoutWidth = Math.max(...cards.map((c) => parseFloat(c.style.left))) + CARD_W + 16;
    const layoutHeight = Math.max(...cards.map((c) => parseFloat(c.style.top))) + CARD_H + 16;
    // the overview's px per content px, across and down
    const sx = Number(svgEl.getAttribute("width")) / layoutWidth;
    const sy = Number(svgEl.getAttribute("height")) / layoutHeight;
    minimap.dispatchEvent(
      new PointerEvent("pointerdown", {
        bubbles: true,
        button: 0,
        pointerId: 1,
        clientX: 30,
        clientY: 40,
      }),
    );
    const t = transform();
    // (the overview's size is rounded up to whole pixels: a pixel or two of slack)
    expect(Math.abs((30 / sx) * t.k + t.x - 500)).toBeLessThan(3);
    expect(Math.abs((40 / sy) * t.k + t.y - 280)).toBeLessThan(3);
  });

  it("never fits a big expanded tree below a readable scale, and says what it shows", () => {
    undo = fakeLayout({ width: 1000, height: 560 });
    mount(bigTree(250));
    click(/** @type {HTMLElement} */ ($(".kpt-btn[title='Open every subtree']")));
    click(/** @type {HTMLElement} */ ($(".kpt-fit")));
    expect(transform().k).toBe(READABLE_SCALE);
    expect(notice().hidden).toBe(false);
    expect(notice().dataset.kind).toBe("fit");
    expect(notice().textContent).toMatch(/would need \d+% to fit.*showing its top levels/);
    // the root leads: its card in sight, centred across the view's height
    const root = card("m0");
    const t = transform();
    const left = parseFloat(root.style.left) * t.k + t.x;
    expect(left).toBeGreaterThanOrEqual(0);
    expect(left + CARD_W * t.k).toBeLessThanOrEqual(1000);
    expect((parseFloat(root.style.top) + CARD_H / 2) * t.k + t.y).toBeCloseTo(280);
    // with a selection, Fit shows the selection
    click(/** @type {HTMLElement} */ (card("m1").querySelector(".kpt-name")));
    click(/** @type {HTMLElement} */ ($(".kpt-fit")));
    expect(notice().textContent).toContain("showing Metric 1");
    // a small tree fits whole, and no notice
    cleanup();
    mount(revenueTree());
    click(/** @type {HTMLElement} */ ($(".kpt-fit")));
    expect(notice().hidden).toBe(true);
    expect(transform().k).toBeGreaterThanOrEqual(READABLE_SCALE);
  });

  /**
   * @param {Record<string, Partial<import("../types.js").MetricNumbers>>} metrics
   * @param {number} [base]
   */
  const delta = (metrics, base = 1) => ({
    kind: "numbers",
    structure: model.get("structure").key,
    revision: base + 1,
    base,
    metrics,
  });

  it("marks the metrics an edit moved, and the panel says old -> new", async () => {
    mount(revenueTree());
    const input = openTarget("signup_rate"); // selects it: the panel opens
    input.value = "3.5%";
    press(input, "Enter");
    // Python's delta names what it recomputed; customers' numbers came out the same
    model.custom(
      delta({
        signup_rate: { target: 0.035 },
        new_customers: { target: 2100 },
        customers: { target: 5600 },
        revenue: { target: 756250 },
      }),
    );
    model.answer("edit", { ok: true, revision: 2, error: null });
    await Promise.resolve();
    await Promise.resolve();
    const marked = [...el.querySelectorAll("[data-metric][data-changed]")].map((c) =>
      c.getAttribute("data-metric"),
    );
    expect(marked.sort()).toEqual(["new_customers", "revenue", "signup_rate"]);
    expect(card("revenue").classList.contains("kpt-changed")).toBe(true);
    expect(card("revenue").dataset.changed).toBe("target");
    expect(card("customers").classList.contains("kpt-changed")).toBe(false);
    const note = /** @type {HTMLElement} */ ($('.kpt-panel [data-role="change"]'));
    expect(note.textContent).toContain("Signup rate: 3% \u2192 3.5%");
    expect(note.textContent).toContain("3 metrics moved");
    // the next change replaces the marks
    model.custom(delta({ arpc: { value: 130 } }, 2));
    expect(card("arpc").dataset.changed).toBe("value");
    expect(card("revenue").hasAttribute("data-changed")).toBe(false);
  });

  it("says which lever a solve moved, from what to what", async () => {
    undo = fakeLayout({ width: 1000, height: 560 }, { panel: 300 });
    mount(revenueTree(), { selected: "customers" });
    const panel = $(".kpt-panel");
    const select = /** @type {HTMLSelectElement} */ (panel.querySelector(".kpt-solve-row select"));
    select.value = "signup_rate";
    select.dispatchEvent(new Event("change"));
    click(/** @type {HTMLElement} */ (panel.querySelector(".kpt-solve")));
    model.custom(delta({ signup_rate: { target: 0.035 }, customers: { implied_target: 5600 } }));
    model.answer("solve", { ok: true, revision: 2, error: null });
    await Promise.resolve();
    await Promise.resolve();
    const note = /** @type {HTMLElement} */ ($('.kpt-panel [data-role="change"]'));
    expect(note.querySelector(".kpt-panel-h")?.textContent).toBe("Solve changed");
    expect(note.textContent).toContain("Signup rate: 3% \u2192 3.5%");
    expect(note.textContent).toContain("solved for Paying customers");
    expect(card("signup_rate").dataset.changed).toBe("target");
    // Show brings the lever's card out from under the panel
    const lever = card("signup_rate");
    const right = () => (parseFloat(lever.style.left) + CARD_W) * transform().k + transform().x;
    expect(right()).toBeGreaterThan(700); // under the panel
    click(/** @type {HTMLElement} */ (note.querySelector(".kpt-change-show")));
    expect(right()).toBeLessThanOrEqual(700 - 8 + 1e-6);
  });
});
describe("building the tree in the view", () => {
  /** @param {string} hook */
  const field = (hook) => /** @type {HTMLInputElement} */ ($(`.kpt-panel [data-field="${hook}"]`));
  /** @param {string} action */
  const action = (action) => /** @type {HTMLButtonElement} */ ($(`[data-action="${action}"]`));
  /**
   * @param {HTMLInputElement} input
   * @param {string} text
   */
  const type = (input, text) => {
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  };

  it("sends a panel field on Enter, never to the notebook, and only when it changed", () => {
    mount(revenueTree(), { selected: "arpc" });
    const owner = field("owner-input");
    expect(press(owner, "Enter").defaultPrevented).toBe(true);
    expect(model.requests()).toEqual([]); // unchanged: nothing sent
    type(owner, "Head of Sales");
    const outside = vi.fn();
    el.parentElement?.addEventListener("keydown", outside);
    press(owner, "Enter");
    el.parentElement?.removeEventListener("keydown", outside);
    expect(outside).not.toHaveBeenCalled();
    expect(model.requests()).toEqual([
      { type: "update", metric: "arpc", field: "owner", text: "Head of Sales" },
    ]);
  });

  it("Escape puts the field back as it was", () => {
    mount(revenueTree(), { selected: "arpc" });
    type(field("name-input"), "Something else");
    press(field("name-input"), "Escape");
    expect(field("name-input").value).toBe("Avg revenue per customer");
    expect(model.requests()).toEqual([]);
  });

  it("shows a refused formula's message beside it and keeps the text typed", async () => {
    mount(revenueTree(), { selected: "revenue" });
    type(field("formula-input"), "customers * ");
    press(field("formula-input"), "Enter");
    expect(model.requests()).toEqual([
      { type: "set_formula", metric: "revenue", text: "customers *", create_missing: false },
    ]);
    const message = "formula 'customers *' is not complete";
    model.answer("set_formula", {
      ok: false,
      revision: 1,
      error: { metric: "revenue", field: "formula", period: null, text: null, message },
    });
    await Promise.resolve();
    await Promise.resolve();
    expect($('.kpt-panel [data-role="error"]').textContent).toBe(message);
    expect(field("formula-input").value).toBe("customers * ");
    expect(field("formula-input").getAttribute("aria-invalid")).toBe("true");
  });

  it("asks before creating the unknown names of a formula as inputs", () => {
    mount(revenueTree(), { selected: "revenue" });
    type(field("formula-input"), "customers * arpc * upsell_rate");
    press(field("formula-input"), "Enter");
    expect(model.requests()).toEqual([]);
    expect($('[data-role="confirm"]').textContent).toContain("upsell_rate is not in the tree yet");
    click(action("create-missing"));
    expect(model.requests()).toEqual([
      {
        type: "set_formula",
        metric: "revenue",
        text: "customers * arpc * upsell_rate",
        create_missing: true,
      },
    ]);
  });

  it("adds a driver from a card's button through the panel's form", () => {
    mount(revenueTree());
    click(/** @type {HTMLElement} */ (card("arpc").querySelector('[data-action="add-driver"]')));
    expect(model.get("selected")).toBe("arpc");
    type(field("new-id-input"), "seats");
    type(field("new-name-input"), "Seats per customer");
    const op = /** @type {HTMLSelectElement} */ (/** @type {unknown} */ (field("op-input")));
    op.value = "*";
    op.dispatchEvent(new Event("change"));
    press(field("new-name-input"), "Enter");
    expect(model.requests()).toEqual([
      { type: "add_driver", parent: "arpc", metric: "seats", name: "Seats per customer", op: "*" },
    ]);
  });

  it("adds a metric that only influences the card's metric (a hypothesis)", () => {
    mount(revenueTree());
    click(/** @type {HTMLElement} */ (card("revenue").querySelector('[data-action="add-driver"]')));
    type(field("new-id-input"), "nps");
    const op = /** @type {HTMLSelectElement} */ (/** @type {unknown} */ (field("op-input")));
    op.value = "~";
    op.dispatchEvent(new Event("change"));
    press(field("new-id-input"), "Enter");
    expect(model.requests()).toEqual([
      { type: "add_driver", parent: "revenue", metric: "nps", name: null, link: "hypothesis" },
    ]);
  });

  it("removes a formula child out of its parent's formula", () => {
    mount(revenueTree(), { selected: "arpc" });
    click(action("remove"));
    expect(model.requests()).toEqual([
      { type: "remove", metric: "arpc", parent: "revenue", subtree: false },
    ]);
  });

  it("draws a hypothesis from the selected card to the next card clicked", () => {
    mount(revenueTree(), { selected: "signup_rate" });
    click(action("draw-hypothesis"));
    expect($(".kpt-root").classList.contains("kpt-drawing")).toBe(true);
    click(/** @type {HTMLElement} */ (card("arpc").querySelector(".kpt-name")));
    expect(model.requests()).toEqual([
      { type: "hypothesis", source: "signup_rate", target: "arpc", sign: "+", note: "" },
    ]);
    expect($(".kpt-root").classList.contains("kpt-drawing")).toBe(false);
    expect(model.get("selected")).toBe("signup_rate"); // the click drew; it did not select
  });

  it("undoes and redoes with the toolbar and Ctrl/Cmd+Z inside the widget only", () => {
    mount(revenueTree(), { can_undo: true, can_redo: false, file: "" });
    expect(action("undo").disabled).toBe(false);
    expect(action("redo").disabled).toBe(true);
    expect(action("save").hidden).toBe(true);
    click(action("undo"));
    const root = $(".kpt-root");
    root.dispatchEvent(new KeyboardEvent("keydown", { key: "z", ctrlKey: true, bubbles: true }));
    root.dispatchEvent(
      new KeyboardEvent("keydown", { key: "z", metaKey: true, shiftKey: true, bubbles: true }),
    );
    document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "z", ctrlKey: true }));
    expect(model.requests().map((r) => r.type)).toEqual(["undo", "undo", "redo"]);
    model.set("can_redo", true);
    expect(action("redo").disabled).toBe(false);
  });

  it("saves to the tree's file and says so", async () => {
    mount(revenueTree(), { file: "/home/me/plan.yaml" });
    expect(action("save").hidden).toBe(false);
    click(action("save"));
    model.answer("save", { ok: true, revision: 3, error: null, saved: "/home/me/plan.yaml" });
    await Promise.resolve();
    await Promise.resolve();
    expect($('[data-role="status"]').textContent).toBe("Saved to plan.yaml");
  });

  it("flags a card's health findings on the card", () => {
    const data = revenueTree();
    const arpc = data.metrics.find((m) => m.id === "arpc");
    if (arpc) {
      arpc.findings = [{ rule: "owner.missing", severity: "warning", message: "no owner" }];
    }
    mount(data);
    const flags = /** @type {HTMLElement} */ (card("arpc").querySelector('[data-role="findings"]'));
    expect(flags.hidden).toBe(false);
    expect(flags.getAttribute("data-rules")).toBe("owner.missing");
    expect(flags.title).toBe("no owner");
  });
});


describe("refresh", () => {
  const button = () => /** @type {HTMLButtonElement} */ ($('[data-action="refresh"]'));
  const shown = () => !(/** @type {HTMLElement} */ (button().closest(".kpt-refresh"))).hidden;
  const status = () => $('[data-role="refreshed"]').textContent;

  it("is offered only when the tree has data sources", () => {
    mount(revenueTree());
    expect(shown()).toBe(false);
    model.set("sources", ["product"]);
    expect(shown()).toBe(true);
  });

  it("asks Python to refresh, shows progress, then when it finished", async () => {
    mount(revenueTree(), { sources: ["product"] });
    button().click();
    expect(model.requests()).toEqual([{ type: "refresh" }]);
    expect(button().disabled).toBe(true);
    expect(status()).toBe("Refreshing\u2026");
    const at = "2026-03-05T14:02:31+00:00";
    model.answer("refresh", { ok: true, revision: 2, error: null, refreshed_at: at });
    await Promise.resolve();
    expect(button().disabled).toBe(false);
    expect(status()).toBe(`Refreshed at ${new Date(at).toLocaleTimeString()}`);
  });

  it("shows a failed refresh in the banner", async () => {
    mount(revenueTree(), { sources: ["product"] });
    button().click();
    const error = { metric: "visits", field: "source", period: null, text: null,
      message: "refresh: metrics.visits.source (source product): no file; nothing was changed" };
    model.answer("refresh", { ok: false, revision: 1, error });
    await Promise.resolve();
    expect(status()).toBe("Refresh failed");
    expect($('[data-role="error"]').textContent).toContain("nothing was changed");
  });
});
