// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { Editor } from "../editor.js";
import { metric } from "./fixtures.js";

/** An editor over two target fields in the document, recording what it sends. */
function setup() {
  /** @type {Record<string, HTMLElement>} */
  const fields = {};
  for (const id of ["a", "b"]) {
    fields[id] = document.createElement("span");
    document.body.append(fields[id]);
  }
  /** @type {object[]} */
  const sent = [];
  const metrics = {
    a: metric({ id: "a", target: 10, unit: "count" }),
    b: metric({ id: "b", target: 0.5, unit: "percent" }),
  };
  const editor = new Editor({
    metric: (id) => metrics[/** @type {"a" | "b"} */ (id)],
    field: (id) => fields[id],
    order: () => ["a", "b"],
    send: (pending) => sent.push(pending),
    opened: () => {},
    changed: () => {},
  });
  return { editor, fields, sent };
}

/**
 * @param {HTMLInputElement} input
 * @param {string} key
 */
const press = (input, key) =>
  input.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));

describe("the editor", () => {
  it("sends changed text on Enter, keeps it pending until settled, and moves on with Tab", () => {
    const { editor, fields, sent } = setup();
    editor.open("a", "target");
    const input = /** @type {HTMLInputElement} */ (editor.current?.input);
    expect(input.value).toBe("10");
    expect(fields.a.hidden).toBe(true);
    input.value = "12";
    press(input, "Tab");
    expect(sent).toEqual([{ metric: "a", field: "target", text: "12" }]);
    expect(editor.pending).toEqual(sent[0]);
    expect(editor.current?.metric).toBe("b"); // Tab opened the next target
    expect(editor.current?.input.value).toBe("50%");
    expect(editor.settle({ metric: "a", field: "target", text: "12" })).toBe(false); // not it
    expect(editor.settle(editor.pending)).toBe(true);
    expect(editor.pending).toBeNull();
  });

  it("sends nothing on Escape or for unchanged text, and never edits a computed value", () => {
    const { editor, fields, sent } = setup();
    editor.open("a", "target");
    press(/** @type {HTMLInputElement} */ (editor.current?.input), "Escape");
    expect(editor.current).toBeNull();
    expect(fields.a.hidden).toBe(false);
    editor.open("a", "target");
    editor.commit();
    expect(sent).toEqual([]);
    const computed = setup();
    computed.editor.host.metric = () => metric({ id: "c", children: ["a"] });
    computed.editor.open("c", "value");
    expect(computed.editor.current).toBeNull();
  });
});
