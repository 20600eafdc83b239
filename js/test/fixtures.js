// Sample trees as the view draws them (the structure with the numbers merged in), and
// `toStructure` to send one as Python does (docs/widget-protocol.md).

/** @typedef {import("../types.js").Metric} Metric */
/** @typedef {import("../types.js").TreeData} TreeData */
/** @typedef {import("../types.js").Structure} Structure */
/** @typedef {import("../types.js").MetricNumbers} MetricNumbers */

const NUMBER_KEYS = /** @type {const} */ ([
  "value",
  "target",
  "implied_target",
  "explicit_target",
  "variance",
  "variance_pct",
  "change",
  "status",
  "findings",
  "text",
]);

let structures = 0;

/**
 * A drawn tree as Python sends it: the `structure` trait, its numbers in the snapshot.
 * @param {Partial<TreeData>} data
 * @param {{revision?: number, focus?: string[] | null}} [options]
 * @returns {Structure}
 */
export function toStructure(data, { revision = 1, focus = null } = {}) {
  const key = ++structures;
  /** @type {Record<string, MetricNumbers>} */
  const numbers = {};
  const metrics = (data.metrics ?? []).map((m) => {
    /** @type {Record<string, unknown>} */
    const structure = { ...m };
    /** @type {Record<string, unknown>} */
    const values = {};
    for (const k of NUMBER_KEYS) {
      if (k in structure) values[k] = structure[k];
      delete structure[k];
    }
    numbers[m.id] = /** @type {MetricNumbers} */ (values);
    return /** @type {import("../types.js").MetricStructure} */ (structure);
  });
  return {
    protocol: 2,
    key,
    name: data.name ?? "",
    root: data.root ?? "",
    period: data.period ?? null,
    periods: data.periods ?? [],
    scenario: data.scenario ?? null,
    scenarios: data.scenarios ?? [],
    focus,
    // a fixture without it stands for Python before it sent the size
    total_metrics: /** @type {number} */ (data.total_metrics),
    metrics,
    hypotheses: data.hypotheses ?? [],
    numbers: { kind: "numbers", structure: key, revision, base: null, metrics: numbers },
  };
}

/**
 * A metric with defaults for every field.
 * @param {Partial<Metric> & {id: string}} fields
 * @returns {Metric}
 */
export function metric(fields) {
  return {
    name: fields.id,
    parent: null,
    level: 0,
    link: fields.parent ? "formula" : "root",
    context: false,
    children: [],
    formula: null,
    relation: null,
    is_input: !fields.children?.length,
    unit: "count",
    direction: "up",
    owner: null,
    team: null,
    cadence: "monthly",
    lag_days: null,
    description: null,
    tags: [],
    value: null,
    target: null,
    implied_target: null,
    explicit_target: false,
    variance: null,
    variance_pct: null,
    status: "undefined",
    findings: [],
    ...fields,
  };
}

/**
 * revenue = customers * arpc; customers = new + returning - lost; new = visitors * signup_rate.
 * @returns {TreeData}
 */
export function revenueTree() {
  return {
    name: "Acme revenue",
    root: "revenue",
    period: "2026-03",
    periods: ["2026-01", "2026-02", "2026-03"],
    scenario: null,
    scenarios: ["upside", "downside"],
    metrics: [
      metric({
        id: "revenue",
        name: "Revenue",
        level: 0,
        children: ["customers", "arpc"],
        formula: "customers * arpc",
        relation: "product",
        unit: "currency",
        owner: "CEO",
        lag_days: 30,
        description: "Recognised revenue in the month.",
        tags: ["north_star"],
        value: 606000,
        target: 681250,
        implied_target: 681250,
        variance: -75250,
        variance_pct: -11.0,
        status: "off_track",
      }),
      metric({
        id: "customers",
        name: "Paying customers",
        parent: "revenue",
        level: 1,
        children: ["new_customers", "returning_customers", "lost_customers"],
        formula: "new_customers + returning_customers - lost_customers",
        relation: "sum",
        owner: "VP Sales",
        team: "Sales",
        value: 5050,
        target: 5600,
        implied_target: 5450,
        explicit_target: true,
        variance: -550,
        variance_pct: -9.8,
        status: "at_risk",
      }),
      metric({
        id: "arpc",
        name: "Avg revenue per customer",
        parent: "revenue",
        level: 1,
        unit: "currency",
        owner: "CFO",
        value: 120,
        target: 125,
        variance: -5,
        variance_pct: -4.0,
        status: "at_risk",
        tags: ["unit_economics", "pricing"],
      }),
      metric({
        id: "new_customers",
        name: "New customers",
        parent: "customers",
        level: 2,
        children: ["website_visitors", "signup_rate"],
        formula: "website_visitors * signup_rate",
        relation: "product",
        owner: "Marketing",
        value: 1250,
        target: 1650,
        implied_target: 1650,
        variance: -400,
        variance_pct: -24.2,
        status: "off_track",
      }),
      metric({
        id: "returning_customers",
        name: "Returning customers",
        parent: "customers",
        level: 2,
        owner: "Customer success",
        value: 4150,
        target: 4100,
        variance: 50,
        variance_pct: 1.2,
        status: "on_track",
      }),
      metric({
        id: "lost_customers",
        name: "Lost customers",
        parent: "customers",
        level: 2,
        direction: "down",
        owner: "Customer success",
        value: 350,
        target: 300,
        variance: 50,
        variance_pct: 16.7,
        status: "off_track",
      }),
      metric({
        id: "website_visitors",
        name: "Website visitors",
        parent: "new_customers",
        level: 3,
        owner: "Marketing",
        value: 50000,
        target: 55000,
        variance: -5000,
        variance_pct: -9.1,
        status: "at_risk",
      }),
      metric({
        id: "signup_rate",
        name: "Signup rate",
        parent: "new_customers",
        level: 3,
        unit: "percent",
        owner: "Growth",
        value: 0.025,
        target: 0.03,
        variance: -0.005,
        variance_pct: -16.7,
        status: "off_track",
        findings: [
          {
            rule: "target_jump",
            severity: "warning",
            message: "Target is 20% above the best month.",
          },
        ],
      }),
    ],
    hypotheses: [
      { from: "arpc", to: "lost_customers", sign: "+", note: "Price rises drive churn" },
    ],
  };
}

/**
 * A generated tree of `n` currency metrics: each computed metric sums 2 to 6 children; the
 * status follows the variance (higher is better) and about one in twenty values is missing.
 * @param {number} n
 * @returns {TreeData}
 */
export function bigTree(n) {
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  /** @type {Metric[]} */
  const flat = [metric({ id: "m0", name: "Metric 0", unit: "currency" })];
  const queue = [flat[0]];
  while (flat.length < n) {
    const p = /** @type {Metric} */ (queue.shift());
    const k = Math.min(2 + Math.floor(rand() * 5), n - flat.length);
    for (let i = 0; i < k; i++) {
      const c = metric({
        id: `m${flat.length}`,
        name: `Metric ${flat.length}`,
        parent: p.id,
        level: p.level + 1,
        unit: "currency",
      });
      p.children.push(c.id);
      flat.push(c);
      queue.push(c);
    }
    p.relation = "sum";
    p.formula = p.children.join(" + ");
  }
  for (const m of flat) {
    m.is_input = m.children.length === 0;
    m.target = Math.round(1000 + rand() * 1e6);
    m.value = rand() < 0.05 ? null : Math.round(m.target * (0.75 + rand() * 0.4));
    setVariance(m);
  }
  /** @type {Metric[]} */
  const metrics = [];
  const visit = (/** @type {Metric} */ m) => {
    metrics.push(m);
    for (const c of m.children) visit(flat[Number(c.slice(1))]);
  };
  visit(flat[0]);
  return {
    name: `Generated ${n}`,
    root: "m0",
    period: null,
    periods: [],
    scenario: null,
    scenarios: [],
    metrics,
    hypotheses: [],
  };
}

/**
 * Variance and status as Python computes them for a higher-is-better metric.
 * @param {Metric} m
 */
function setVariance(m) {
  if (m.value === null || m.target === null) {
    m.status = "missing";
    return;
  }
  m.variance = m.value - m.target;
  m.variance_pct = (m.variance / m.target) * 100;
  m.status = m.variance_pct >= -2 ? "on_track" : m.variance_pct >= -10 ? "at_risk" : "off_track";
}

/**
 * A `tree_data` narrowed to a focus as Python narrows it: the focus metrics, the metrics between
 * them and the root and the root (those two marked `context`), children and hypotheses limited
 * to what is sent.
 * @param {TreeData} data
 * @param {string[]} focus
 * @returns {TreeData}
 */
export function focused(data, focus) {
  const parent = new Map(data.metrics.map((m) => [m.id, m.parent]));
  const shown = new Set([data.root]);
  for (const id of focus) {
    for (let node = /** @type {string | null | undefined} */ (id); node; node = parent.get(node)) {
      shown.add(node);
    }
  }
  return {
    ...data,
    metrics: data.metrics
      .filter((m) => shown.has(m.id))
      .map((m) => ({
        ...m,
        children: m.children.filter((c) => shown.has(c)),
        context: !focus.includes(m.id),
      })),
    hypotheses: data.hypotheses.filter((x) => shown.has(x.from) && shown.has(x.to)),
  };
}
