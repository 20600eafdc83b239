// Shared JSDoc types of the view. The data shapes follow docs/widget-protocol.md.

/**
 * @typedef {"on_track" | "at_risk" | "off_track" | "undefined" | "missing"} Status
 * @typedef {"sum" | "product" | "ratio" | "formula"} Relation
 * @typedef {"value" | "target"} EditField
 */

/**
 * @typedef {object} Finding
 * @property {string} rule
 * @property {string} severity   error | warning | info
 * @property {string} message
 */

/**
 * One metric of `tree_data.metrics`.
 * @typedef {object} Metric
 * @property {string} id
 * @property {string} name
 * @property {string | null} parent
 * @property {number} level
 * @property {string[]} children
 * @property {string | null} formula
 * @property {Relation | null} relation
 * @property {boolean} is_input
 * @property {string | null} unit
 * @property {string | null} direction
 * @property {string | null} owner
 * @property {string | null} team
 * @property {string | null} cadence
 * @property {number | null} lag_days
 * @property {string | null} description
 * @property {string[]} tags
 * @property {number | null} value
 * @property {number | null} target
 * @property {number | null} implied_target
 * @property {boolean} explicit_target
 * @property {number | null} variance
 * @property {number | null} variance_pct
 * @property {Status} status
 * @property {Finding[]} findings
 * @property {boolean} [context]   shown only to connect the focus to the root (drawn muted)
 */

/**
 * @typedef {object} Hypothesis
 * @property {string} from
 * @property {string} to
 * @property {string} sign
 * @property {string} [note]
 */

/**
 * The `tree_data` trait.
 * @typedef {object} TreeData
 * @property {string} name
 * @property {string} root
 * @property {string | null} period
 * @property {string[]} periods
 * @property {string | null} scenario
 * @property {string[]} scenarios
 * @property {Metric[]} metrics
 * @property {Hypothesis[]} hypotheses
 * @property {number} [total_metrics] how many metrics the whole tree has (a focus shows fewer)
 */

/**
 * The `focus` trait: the metric ids shown (with their context), or null for the whole tree.
 * @typedef {string[] | null} Focus
 */

/**
 * The `error` trait: `{}` after a success.
 * @typedef {object} ErrorInfo
 * @property {string | null} [metric]
 * @property {string | null} [field]
 * @property {string} [text]
 * @property {string} [message]
 */

/**
 * The part of anywidget's model the view uses.
 * @typedef {object} Model
 * @property {(name: string) => any} get
 * @property {(name: string, value: any) => void} set
 * @property {(event: string, callback: () => void) => void} on
 * @property {(event: string, callback: () => void) => void} off
 * @property {(message: object) => void} send
 * @property {() => void} save_changes
 */

export {};
