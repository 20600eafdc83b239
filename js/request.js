// Requests to Python, each answered on its own: anywidget's command messages
// (`{kind: "anywidget-command", id, name, msg}`, answered by
// `{kind: "anywidget-command-response", id, response}`), over the model's custom messages.

/**
 * @typedef {import("./types.js").Model} Model
 * @typedef {import("./types.js").Answer} Answer
 */

/** With no answer this long, the kernel is gone or busy elsewhere: say so. */
export const ANSWER_TIMEOUT_MS = 60000;

let counter = 0;

/** A request id unique within the page. */
function requestId() {
  counter += 1;
  return `kpt-${Date.now().toString(36)}-${counter}`;
}

export class Requests {
  /**
   * @param {Model} model
   * @param {{timeoutMs?: number}} [options]
   */
  constructor(model, { timeoutMs = ANSWER_TIMEOUT_MS } = {}) {
    this.model = model;
    this.timeoutMs = timeoutMs;
    /** @type {Map<string, {resolve: (a: Answer) => void, reject: (e: Error) => void, timer: ReturnType<typeof setTimeout>}>} */
    this.waiting = new Map();
    /** @param {unknown} msg */
    this.onMessage = (msg) => this.receive(msg);
    model.on("msg:custom", this.onMessage);
  }

  /**
   * Send a request; resolves with Python's answer to it.
   * @param {"edit" | "solve" | "snapshot" | "refresh"} name
   * @param {object} msg
   * @returns {Promise<Answer>}
   */
  send(name, msg) {
    const id = requestId();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error("Python did not answer (is the kernel running?)"));
      }, this.timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      this.model.send({ id, kind: "anywidget-command", name, msg });
    });
  }

  /**
   * A custom message from Python: the answer to a request waiting for it, or not ours.
   * @param {unknown} msg
   * @returns {boolean} whether it was an answer
   */
  receive(msg) {
    const m = /** @type {{kind?: string, id?: string, response?: Answer}} */ (
      msg && typeof msg === "object" ? msg : {}
    );
    if (m.kind !== "anywidget-command-response" || typeof m.id !== "string") return false;
    const waiting = this.waiting.get(m.id);
    if (!waiting) return true;
    this.waiting.delete(m.id);
    clearTimeout(waiting.timer);
    waiting.resolve(/** @type {Answer} */ (m.response));
    return true;
  }

  close() {
    this.model.off("msg:custom", this.onMessage);
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
  }
}
