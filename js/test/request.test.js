import { afterEach, describe, expect, it, vi } from "vitest";
import { Requests } from "../request.js";

/** A model that records what is sent and lets a test play Python's custom messages. */
function fakeModel() {
  /** @type {Set<(...args: any[]) => void>} */
  const custom = new Set();
  /** @type {any[]} */
  const sent = [];
  return {
    sent,
    custom,
    get: () => undefined,
    set: () => {},
    save_changes: () => {},
    /** @param {object} msg */
    send: (msg) => sent.push(msg),
    /**
     * @param {string} _event
     * @param {(...args: any[]) => void} cb
     */
    on: (_event, cb) => custom.add(cb),
    /**
     * @param {string} _event
     * @param {(...args: any[]) => void} cb
     */
    off: (_event, cb) => custom.delete(cb),
    /** @param {object} msg */
    python: (msg) => custom.forEach((cb) => cb(msg, [])),
  };
}

afterEach(() => vi.useRealTimers());

describe("requests", () => {
  it("sends anywidget's command message and resolves each request with its own answer", async () => {
    const model = fakeModel();
    const requests = new Requests(model);
    const first = requests.send("edit", { metric: "a", field: "target", text: "1" });
    const second = requests.send("edit", { metric: "b", field: "target", text: "x" });
    const [a, b] = model.sent;
    expect(a).toMatchObject({ kind: "anywidget-command", name: "edit", msg: { metric: "a" } });
    expect(a.id).not.toBe(b.id);
    // answered out of order: each promise gets the answer carrying its id
    const error = { metric: "b", field: "target", period: null, text: "x", message: "no" };
    model.python({ kind: "anywidget-command-response", id: b.id, response: { ok: false, revision: 3, error } });
    model.python({ kind: "anywidget-command-response", id: a.id, response: { ok: true, revision: 4 } });
    expect(await first).toEqual({ ok: true, revision: 4 });
    expect(await second).toEqual({ ok: false, revision: 3, error });
  });

  it("leaves other custom messages alone and fails a request Python never answers", async () => {
    vi.useFakeTimers();
    const model = fakeModel();
    const requests = new Requests(model, { timeoutMs: 1000 });
    const pending = requests.send("solve", { metric: "a", lever: "b" });
    expect(requests.receive({ kind: "numbers" })).toBe(false);
    vi.advanceTimersByTime(1001);
    await expect(pending).rejects.toThrow("did not answer");
    requests.close();
    expect(model.custom.size).toBe(0);
  });
});
