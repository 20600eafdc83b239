/// <reference types="node" />
// The protocol's one declaration is Python's (src/kpitree_widget/protocol.py, exported to
// protocol.schema.json): the view's JSDoc types must say the same, and the view merges what
// Python sends as the schema describes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fromStructure, mergeNumbers } from "../protocol.js";
import { indexTree } from "../tree.js";
import { revenueTree, toStructure } from "./fixtures.js";

const here = new URL(".", import.meta.url);
const schema = JSON.parse(
  readFileSync(new URL("../../src/kpitree_widget/protocol.schema.json", here), "utf8"),
);
const typesSource = readFileSync(new URL("../types.js", here), "utf8");

/**
 * The `@typedef {object} Name` blocks of a JSDoc source: name -> property -> optional?
 * @param {string} source
 * @returns {Map<string, Map<string, boolean>>}
 */
function typedefs(source) {
  /** @type {Map<string, Map<string, boolean>>} */
  const out = new Map();
  for (const block of source.split("/**").slice(1)) {
    const head = /@typedef \{object\} (\w+)/.exec(block);
    if (!head) continue;
    /** @type {Map<string, boolean>} */
    const props = new Map();
    for (const m of block.matchAll(/@property \{.*?\} (\[?)(\w+)\]?/g)) {
      props.set(m[2], m[1] === "[");
    }
    out.set(head[1], props);
  }
  return out;
}

describe("the JS types and the schema", () => {
  const types = typedefs(typesSource);
  const defs = /** @type {Record<string, {properties?: Record<string, unknown>, required?: string[]}>} */ (
    schema.$defs
  );

  it("has a typedef for every model of the protocol", () => {
    expect(Object.keys(defs).filter((name) => !types.has(name))).toEqual([]);
  });

  for (const [name, def] of Object.entries(defs)) {
    it(`declares ${name} with the schema's fields, optional where the schema has a default`, () => {
      const required = new Set(def.required ?? []);
      const expected = Object.keys(def.properties ?? {})
        .map((p) => `${p}${required.has(p) ? "" : "?"}`)
        .sort();
      const declared = [...(types.get(name) ?? new Map())]
        .map(([p, optional]) => `${p}${optional ? "?" : ""}`)
        .sort();
      expect(declared).toEqual(expected);
    });
  }

  it("reads the typedefs it checks (a broken reader would pass everything)", () => {
    expect(types.get("ErrorInfo")).toEqual(
      new Map([
        ["metric", false],
        ["field", false],
        ["period", false],
        ["message", false],
        ["text", false],
      ]),
    );
    expect(types.get("Hypothesis")?.get("note")).toBe(true);
  });
});

describe("merging numbers", () => {
  const start = () => {
    const drawn = fromStructure(toStructure(revenueTree(), { revision: 4 }));
    return { drawn, byId: indexTree(drawn.data).byId };
  };

  it("draws the structure with the snapshot's numbers", () => {
    const { drawn } = start();
    const arpc = drawn.data.metrics.find((m) => m.id === "arpc");
    expect(arpc?.target).toBe(125);
    expect(arpc?.link).toBe("formula");
    expect(drawn.revision).toBe(4);
  });

  it("merges a delta into the metrics it names, in place, and moves the revision", () => {
    const { drawn, byId } = start();
    const arpc = byId.get("arpc");
    const revenue = { ...byId.get("revenue") };
    const changed = mergeNumbers(drawn, byId, {
      kind: "numbers",
      structure: drawn.key,
      revision: 5,
      base: 4,
      metrics: { arpc: /** @type {any} */ ({ target: 130, status: "on_track" }) },
    });
    expect(changed).toEqual(["arpc"]);
    expect(byId.get("arpc")).toBe(arpc);
    expect(arpc?.target).toBe(130);
    expect(arpc?.status).toBe("on_track");
    expect(arpc?.name).toBe("Avg revenue per customer"); // the structure is kept
    expect(byId.get("revenue")).toEqual(revenue);
    expect(drawn.revision).toBe(5);
  });

  it("refuses a delta from a revision it does not have, and ignores old or foreign ones", () => {
    const { drawn, byId } = start();
    const base = { kind: /** @type {const} */ ("numbers"), metrics: {} };
    expect(mergeNumbers(drawn, byId, { ...base, structure: drawn.key, revision: 7, base: 6 })).toBe(
      "gap",
    );
    expect(mergeNumbers(drawn, byId, { ...base, structure: drawn.key, revision: 4, base: 3 })).toBe(
      "ignored",
    );
    expect(mergeNumbers(drawn, byId, { ...base, structure: -1, revision: 5, base: 4 })).toBe(
      "ignored",
    );
    // a snapshot applies whatever the view had
    expect(mergeNumbers(drawn, byId, { ...base, structure: drawn.key, revision: 9, base: null }))
      .toEqual([]);
    expect(drawn.revision).toBe(9);
  });
});
