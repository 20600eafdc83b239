// The banner above the canvas: the last error, unscaled so it reads at any zoom, with a link to
// the metric it is about and a dismiss button.

import { h } from "./dom.js";

/**
 * @typedef {import("./types.js").ErrorInfo} ErrorInfo
 *
 * @typedef {object} BannerContext
 * @property {ErrorInfo | null} error   null: no banner (none, or dismissed)
 * @property {{id: string, name: string} | null} metric   the drawn metric it is about
 * @property {boolean} onCard   the message is also beside the field of a drawn card
 * @property {() => void} onDismiss
 * @property {(id: string) => void} onShow   show the metric (open its ancestors, pan to it)
 */

/**
 * Fill the banner slot. An error shown on a card is a summary here (`data-role=
 * "error-summary"`); any other failure lives only here and carries `data-role="error"`.
 * @param {HTMLElement} slot
 * @param {BannerContext} ctx
 */
export function renderBanner(slot, ctx) {
  const { error: err, metric } = ctx;
  if (!err) {
    slot.replaceChildren();
    return;
  }
  const dismiss = h("button", {
    className: "kpt-btn kpt-banner-close",
    text: "\u00d7",
    attrs: { type: "button", "aria-label": "Dismiss", title: "Dismiss" },
  });
  dismiss.addEventListener("click", () => {
    ctx.onDismiss();
    slot.replaceChildren();
  });
  /** @type {HTMLElement[]} */
  const parts = [];
  if (metric) {
    const where = err.field ? `${metric.name} \u00b7 ${err.field}` : metric.name;
    const show = h("button", {
      className: "kpt-link kpt-banner-where",
      text: where,
      attrs: { type: "button", title: "Show this metric", "data-select": metric.id },
    });
    show.addEventListener("click", () => ctx.onShow(metric.id));
    parts.push(show, h("span", { className: "kpt-banner-sep", text: ": " }));
  }
  parts.push(h("span", { className: "kpt-banner-text", text: String(err.message) }));
  /** @type {Record<string, string>} */
  const attrs = ctx.onCard
    ? { "data-role": "error-summary" }
    : { "data-role": "error", role: "alert" };
  slot.replaceChildren(
    h("div", { className: "kpt-error kpt-banner", attrs }, [
      h("div", { className: "kpt-banner-msg" }, parts),
      dismiss,
    ]),
  );
}

/**
 * A notice to read before trusting a result (a solve whose answer lies outside everything the
 * lever has done): the banner slot when no error holds it, `data-role="solve-note"`, dismissable.
 * @param {HTMLElement} slot
 * @param {string} text
 * @param {() => void} onDismiss
 */
export function renderNotice(slot, text, onDismiss) {
  const dismiss = h("button", {
    className: "kpt-btn kpt-banner-close",
    text: "\u00d7",
    attrs: { type: "button", "aria-label": "Dismiss", title: "Dismiss" },
  });
  dismiss.addEventListener("click", () => {
    onDismiss();
    slot.replaceChildren();
  });
  const attrs = { "data-role": "solve-note", role: "status" };
  const msg = h("div", { className: "kpt-banner-msg" }, [
    h("span", { className: "kpt-banner-text", text }),
  ]);
  slot.replaceChildren(h("div", { className: "kpt-notice kpt-banner", attrs }, [msg, dismiss]));
}
