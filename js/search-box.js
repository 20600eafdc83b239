// The toolbar's search box: type part of a metric's name, id or owner, pick from the
// suggestions (arrows, Enter, a click); Enter with no suggestion picked takes the first.
// The ranking is search.js; what picking does (reveal and select) is the view's.

import { h } from "./dom.js";

/**
 * @typedef {import("./search.js").SearchResult} SearchResult
 * @typedef {import("./search.js").Match} Match
 *
 * @typedef {object} SearchBoxHandlers
 * @property {(query: string) => SearchResult} find
 * @property {(id: string) => void} onPick   reveal and select the metric
 */

let boxes = 0;

export class SearchBox {
  /** @param {SearchBoxHandlers} handlers */
  constructor(handlers) {
    this.handlers = handlers;
    const listId = `kpt-search-list-${++boxes}`;
    this.input = h("input", {
      className: "kpt-search-input",
      attrs: {
        type: "search",
        "data-role": "search",
        placeholder: "Find a metric\u2026",
        "aria-label": "Find a metric by name, id or owner",
        title: "Find a metric by name, id or owner (Enter shows the first)",
        role: "combobox",
        "aria-autocomplete": "list",
        "aria-expanded": "false",
        "aria-controls": listId,
        autocomplete: "off",
        spellcheck: "false",
      },
    });
    this.list = h("ul", {
      className: "kpt-search-list",
      attrs: { id: listId, role: "listbox", "data-role": "search-results" },
    });
    this.list.hidden = true;
    this.el = h("div", { className: "kpt-search" }, [this.input, this.list]);
    /** @type {Match[]} */
    this.matches = [];
    this.active = -1;
    this.input.addEventListener("input", () => this.update());
    this.input.addEventListener("keydown", (e) => this.onKey(e));
    this.input.addEventListener("focus", () => this.update());
    this.input.addEventListener("blur", () => this.close());
    // a press on a suggestion must not blur the input before its click picks it
    this.list.addEventListener("mousedown", (e) => e.preventDefault());
    this.list.addEventListener("click", (e) => {
      const option = /** @type {Element} */ (e.target).closest("[data-option]");
      const id = option?.getAttribute("data-option");
      if (id) this.pick(id);
    });
  }

  /** Suggestions for what is typed now. */
  update() {
    const query = this.input.value;
    const { matches, total } = this.handlers.find(query);
    this.matches = matches;
    this.active = matches.length ? 0 : -1;
    /** @type {HTMLElement[]} */
    const items = matches.map((m, i) => option(m, i === this.active));
    if (query.trim() && !matches.length) {
      items.push(h("li", { className: "kpt-search-none", text: "No metric matches" }));
    } else if (total > matches.length) {
      items.push(
        h("li", {
          className: "kpt-search-more",
          text: `${total - matches.length} more: type more to narrow`,
        }),
      );
    }
    this.list.replaceChildren(...items);
    this.setOpen(items.length > 0);
  }

  /** @param {KeyboardEvent} e */
  onKey(e) {
    // the notebook's shortcuts never see what is typed here
    e.stopPropagation();
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (this.list.hidden) this.update();
      const n = this.matches.length;
      if (!n) return;
      this.active = (this.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      this.list.querySelectorAll("[data-option]").forEach((el, i) => {
        el.classList.toggle("kpt-active", i === this.active);
        el.setAttribute("aria-selected", String(i === this.active));
      });
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (this.list.hidden) this.update();
      const m = this.matches[Math.max(0, this.active)];
      if (m) this.pick(m.id);
    } else if (e.key === "Escape") {
      e.preventDefault();
      if (!this.list.hidden) this.close();
      else this.input.value = "";
    }
  }

  /** @param {string} id */
  pick(id) {
    this.close();
    this.handlers.onPick(id);
  }

  close() {
    this.setOpen(false);
  }

  /** @param {boolean} open */
  setOpen(open) {
    this.list.hidden = !open;
    this.input.setAttribute("aria-expanded", String(open));
  }
}

/**
 * One suggestion: the name, and the id or owner it was found by.
 * @param {Match} m
 * @param {boolean} active
 */
function option(m, active) {
  const note = m.field === "owner" ? m.owner : m.id;
  return h(
    "li",
    {
      className: `kpt-search-option${active ? " kpt-active" : ""}`,
      attrs: { role: "option", "data-option": m.id, "aria-selected": String(active) },
    },
    [
      h("span", { className: "kpt-search-name", text: m.name }),
      h("span", { className: "kpt-search-note", text: note }),
    ],
  );
}
