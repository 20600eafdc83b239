// Protocol v2 on the view's side (docs/widget-protocol.md): the tree drawn is the `structure`
// trait with its numbers merged in; numbers deltas are merged into it metric by metric.

/**
 * @typedef {import("./types.js").Structure} Structure
 * @typedef {import("./types.js").Numbers} Numbers
 * @typedef {import("./types.js").Metric} Metric
 * @typedef {import("./types.js").MetricNumbers} MetricNumbers
 * @typedef {import("./types.js").TreeData} TreeData
 *
 * @typedef {object} Drawn   the tree drawn and which numbers it holds
 * @property {TreeData} data
 * @property {number} key        the structure's key (0: none yet)
 * @property {number} revision   the numbers' revision
 */

/** The numbers a metric has before Python's arrive. */
const NO_NUMBERS = /** @type {const} */ ({
  value: null,
  target: null,
  implied_target: null,
  explicit_target: false,
  variance: null,
  variance_pct: null,
  change: null,
  status: "undefined",
  findings: [],
});

/**
 * The tree a `structure` trait describes, each metric with the snapshot's numbers.
 * @param {unknown} raw  the trait (a partial or empty one gives an empty tree)
 * @returns {Drawn}
 */
export function fromStructure(raw) {
  const s = /** @type {Partial<Structure>} */ (raw && typeof raw === "object" ? raw : {});
  const numbers = s.numbers?.metrics ?? {};
  /** @type {Metric[]} */
  const metrics = (s.metrics ?? []).map((m) => ({ ...NO_NUMBERS, ...m, ...numbers[m.id] }));
  return {
    data: {
      name: s.name ?? "",
      root: s.root ?? "",
      period: s.period ?? null,
      periods: s.periods ?? [],
      scenario: s.scenario ?? null,
      scenarios: s.scenarios ?? [],
      metrics,
      hypotheses: s.hypotheses ?? [],
      total_metrics: s.total_metrics,
    },
    key: s.key ?? 0,
    revision: s.numbers?.revision ?? 0,
  };
}

/**
 * Merge a numbers message into the drawn tree, in place (the metric objects stay the same, so
 * indexes over them stay valid). A snapshot (`base` null) replaces every number; a delta
 * applies only on top of the revision it was made from.
 *
 * Returns the ids whose numbers changed, `"ignored"` for a message about another structure or
 * an older revision, `"gap"` for a delta whose base the view does not have (it missed one:
 * ask for a snapshot).
 * @param {Drawn} drawn
 * @param {Map<string, Metric>} byId  the drawn metrics by id
 * @param {Numbers} numbers
 * @returns {string[] | "ignored" | "gap"}
 */
export function mergeNumbers(drawn, byId, numbers) {
  if (numbers.structure !== drawn.key || numbers.revision <= drawn.revision) return "ignored";
  if (numbers.base !== null && numbers.base !== drawn.revision) return "gap";
  /** @type {string[]} */
  const changed = [];
  for (const [id, values] of Object.entries(numbers.metrics)) {
    const metric = byId.get(id);
    if (!metric) continue;
    Object.assign(metric, values);
    changed.push(id);
  }
  drawn.revision = numbers.revision;
  return changed;
}
