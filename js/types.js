// Shared JSDoc types of the view. The protocol's shapes are declared once, in Python
// (src/kpitree_widget/protocol.py, exported to src/kpitree_widget/protocol.schema.json); the
// typedefs below named as a schema definition must list exactly its properties (a test,
// js/test/protocol.test.js, fails when they drift). See docs/widget-protocol.md.

/**
 * @typedef {"on_track" | "at_risk" | "off_track" | "undefined" | "missing"} Status
 * @typedef {"sum" | "product" | "ratio" | "formula"} Relation
 * @typedef {"root" | "formula" | "hypothesis" | "guard" | "detached"} Link
 * @typedef {"value" | "target"} EditField
 * @typedef {"name" | "owner" | "team" | "unit" | "direction" | "cadence" | "description"} UpdateField
 * @typedef {"+" | "-" | "*" | "/"} Op
 * @typedef {"+" | "-"} Sign
 */

/**
 * @typedef {object} Finding
 * @property {string} rule
 * @property {string} severity   error | warning | info
 * @property {string} message
 * @property {string | null} [reason]
 */

/**
 * What the structure says about one metric (no numbers).
 * @typedef {object} MetricStructure
 * @property {string} id
 * @property {string} name
 * @property {string | null} parent
 * @property {number} level
 * @property {Link} link
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
 * @property {number | null} [min]   the lowest number it can take (null: no bound)
 * @property {number | null} [max]   the highest number it can take (null: no bound)
 * @property {string | null} [guards]   for a guard metric, the metric it keeps in check
 * @property {boolean} context   shown only to connect the focus to the root (drawn muted)
 */

/**
 * A metric's numbers as Python formats them.
 * @typedef {object} NumberTexts
 * @property {string} value
 * @property {string} target
 * @property {string} implied_target
 * @property {string} variance
 * @property {string} variance_pct
 * @property {string} [change]   the change since the period before ("" when there is none)
 */

/**
 * A metric's numbers for the period and scenario shown.
 * @typedef {object} MetricNumbers
 * @property {number | null} value
 * @property {number | null} target
 * @property {number | null} implied_target
 * @property {boolean} explicit_target
 * @property {number | null} variance
 * @property {number | null} variance_pct
 * @property {number | null} [change]   relative change of the value since the period before
 * @property {Status} status
 * @property {Finding[]} findings
 * @property {NumberTexts} text
 */

/**
 * A snapshot of every metric's numbers (`base` null) or a delta from revision `base`.
 * @typedef {object} Numbers
 * @property {"numbers"} [kind]
 * @property {number} structure
 * @property {number} revision
 * @property {number | null} base
 * @property {Record<string, MetricNumbers>} metrics
 * @property {Finding[] | null} [findings]
 * @property {string | null} [health_error]
 */

/**
 * @typedef {object} Hypothesis
 * @property {string} from
 * @property {string} to
 * @property {string} sign
 * @property {string | null} [note]
 */

/**
 * The `structure` trait.
 * @typedef {object} Structure
 * @property {2} protocol
 * @property {number} key
 * @property {string} name
 * @property {string} root
 * @property {string | null} period
 * @property {string[]} periods
 * @property {string | null} scenario
 * @property {string[]} scenarios
 * @property {string[] | null} focus
 * @property {number} total_metrics
 * @property {MetricStructure[]} metrics
 * @property {Hypothesis[]} hypotheses
 * @property {Numbers} numbers
 */

/**
 * The `error` trait (`{}` after a success) and a failed answer's error.
 * @typedef {object} ErrorInfo
 * @property {string | null} metric
 * @property {string | null} field
 * @property {string | null} period
 * @property {string} message
 * @property {string | null} text
 */

/**
 * @typedef {object} EditRequest
 * @property {string} metric
 * @property {EditField} field
 * @property {string | number} text
 * @property {string | null} [period]
 */

/**
 * @typedef {object} SolveRequest
 * @property {string} metric
 * @property {string} lever
 * @property {string | number | null} [target]
 */

/**
 * @typedef {object} SnapshotRequest
 * @property {number | null} [revision]
 * @property {number | null} [structure]
 */

/**
 * Set one of a metric's text fields; empty or null clears it.
 * @typedef {object} UpdateRequest
 * @property {string} metric
 * @property {UpdateField} field
 * @property {string | null} text
 */

/**
 * A new formula for a metric (empty: it becomes an input).
 * @typedef {object} FormulaRequest
 * @property {string} metric
 * @property {string} text
 * @property {boolean} [create_missing]   create unknown names as new inputs
 */

/**
 * A new input under `parent`, joined to its formula with `op`.
 * @typedef {object} AddDriverRequest
 * @property {string} parent
 * @property {string} metric
 * @property {string | null} [name]
 * @property {Op} [op]
 * @property {"formula" | "hypothesis"} [link]   hypothesis: it influences the parent, no math
 */

/**
 * Remove a metric (out of `parent`'s formula first when given).
 * @typedef {object} RemoveRequest
 * @property {string} metric
 * @property {string | null} [parent]
 * @property {boolean} [subtree]
 */

/**
 * Add (or with `remove`, take away) a hypothesis link.
 * @typedef {object} HypothesisRequest
 * @property {string} source
 * @property {string} target
 * @property {Sign} [sign]
 * @property {string} [note]
 * @property {boolean} [remove]
 */

/** @typedef {object} UndoRequest */
/** @typedef {object} RedoRequest */
/** @typedef {object} SaveRequest */

/**
 * @typedef {object} RefreshRequest
 * @property {string[] | null} [metrics]
 */

/**
 * Python's answer to one request.
 * @typedef {object} Answer
 * @property {boolean} ok
 * @property {number} revision
 * @property {ErrorInfo | null} [error]
 * @property {Numbers | null} [numbers]
 * @property {string | null} [note]   a solve's answer to read before trusting it
 * @property {string | null} [saved]   a save's answer: the file written
 * @property {string | null} [refreshed_at]   a refresh's answer: when it finished
 */

/**
 * The name of a request and the shape of its message.
 * @typedef {{edit: EditRequest, solve: SolveRequest, snapshot: SnapshotRequest,
 *   update: UpdateRequest, set_formula: FormulaRequest, add_driver: AddDriverRequest,
 *   remove: RemoveRequest, hypothesis: HypothesisRequest, undo: UndoRequest,
 *   redo: RedoRequest, save: SaveRequest, refresh: RefreshRequest}} RequestMessages
 */

// ---- the view's own shapes (not on the wire)

/**
 * One metric as the view draws it: its structure with its numbers merged in (`text` absent
 * until Python's numbers arrived).
 * @typedef {MetricStructure & Omit<MetricNumbers, "text"> & {text?: NumberTexts}} Metric
 */

/**
 * The tree the view draws: the structure with the numbers merged in.
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
 * The part of anywidget's model the view uses.
 * @typedef {object} Model
 * @property {(name: string) => any} get
 * @property {(name: string, value: any) => void} set
 * @property {(event: string, callback: (...args: any[]) => void) => void} on
 * @property {(event: string, callback: (...args: any[]) => void) => void} off
 * @property {(message: object) => void} send
 * @property {() => void} save_changes
 */

export {};
