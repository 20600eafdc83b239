// Keyboard editing of a value or target: what a key does, what the editor starts with,
// whether a commit is worth sending, and where Tab goes next.

import { isNumber } from "./format.js";

/** @typedef {"commit" | "cancel" | "next" | "previous"} EditAction */

/**
 * The editor's reaction to a key; null lets the input handle it (typing, arrows...).
 * @param {string} key         KeyboardEvent.key
 * @param {boolean} shiftKey
 * @returns {EditAction | null}
 */
export function keyAction(key, shiftKey) {
  switch (key) {
    case "Enter":
      return "commit";
    case "Escape":
      return "cancel";
    case "Tab":
      return shiftKey ? "previous" : "next";
    default:
      return null;
  }
}

/**
 * The text an editor opens with: the number at full precision, in the form people type it
 * (percent values as "12.5%"), empty when missing.
 * @param {number | null | undefined} x
 * @param {string | null | undefined} unit
 */
export function editText(x, unit) {
  if (!isNumber(x)) return "";
  if (unit === "percent") return `${Number((x * 100).toPrecision(12))}%`;
  return String(Number(x.toPrecision(15)));
}

/**
 * Send a commit only when the text changed (so Enter followed by blur sends once).
 * @param {string} original  the text the editor opened with
 * @param {string} text      the text at commit
 */
export function shouldSend(original, text) {
  return text.trim() !== original.trim();
}

/**
 * The metric `step` places from `id` in `order`, or null past either end.
 * @param {readonly string[]} order
 * @param {string} id
 * @param {1 | -1} step
 */
export function neighbour(order, id, step) {
  const i = order.indexOf(id);
  if (i < 0) return null;
  return order[i + step] ?? null;
}
