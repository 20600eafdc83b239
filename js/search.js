// Finding metrics by name, id or owner: the ranking behind the toolbar's search box (pure; the
// box itself is search-box.js).

/**
 * What search reads of a metric.
 * @typedef {object} Searchable
 * @property {string} id
 * @property {string} name
 * @property {string | null} [owner]
 *
 * @typedef {"name" | "id" | "owner"} MatchField
 *
 * @typedef {object} Match
 * @property {string} id
 * @property {string} name
 * @property {string} owner
 * @property {MatchField} field   where the query was found (the best place)
 * @property {number} rank        lower is better
 *
 * @typedef {object} SearchResult
 * @property {Match[]} matches   the best `limit`, best first
 * @property {number} total      how many metrics match
 */

/**
 * Text folded for matching: lower case, accents dropped, runs of space, `_`, `-` and `.` made
 * one space ("Win_Rate" and "win rate" read the same).
 * @param {string} text
 * @example fold("Ünïcödé  Win_rate") // "unicode win rate"
 */
export function fold(text) {
  return String(text ?? "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[\s_.-]+/g, " ")
    .trim();
}

/**
 * How well `q` (folded) matches folded field text `f`: 0 the same, 1 a prefix, 2 the start of a
 * word, 3 anywhere inside; -1 not at all.
 * @param {string} f
 * @param {string} q
 */
function place(f, q) {
  if (!f) return -1;
  if (f === q) return 0;
  if (f.startsWith(q)) return 1;
  if (f.includes(` ${q}`)) return 2;
  return f.includes(q) ? 3 : -1;
}

/** @type {readonly MatchField[]} */
const FIELDS = ["name", "id", "owner"];
/** Each field's weight: a hit in the name beats the same hit in the id, the id the owner's. */
const FIELD_RANK = { name: 0, id: 1, owner: 8 };
/** Rank of a metric where every word of the query is found, but not the query as a whole. */
const WORDS_RANK = 20;

/**
 * The metrics that match `query` in their name, id or owner, best first: the whole query equal to
 * a field, then a prefix, then the start of a word, then anywhere; a name before an id before an
 * owner; else every word of the query found somewhere. Ties keep the metrics' order. An empty
 * query matches nothing.
 * @param {Iterable<Searchable>} metrics
 * @param {string} query
 * @param {number} [limit]
 * @returns {SearchResult}
 * @example searchMetrics(tree.metrics, "win").matches[0].id // "win_rate"
 */
export function searchMetrics(metrics, query, limit = 8) {
  const q = fold(query);
  if (!q) return { matches: [], total: 0 };
  const words = q.split(" ");
  /** @type {(Match & {order: number})[]} */
  const found = [];
  let order = 0;
  for (const m of metrics) {
    order++;
    const owner = m.owner ?? "";
    /** @type {Record<MatchField, string>} */
    const text = { name: fold(m.name), id: fold(m.id), owner: fold(owner) };
    let rank = Infinity;
    /** @type {MatchField} */
    let field = "name";
    for (const f of FIELDS) {
      const p = place(text[f], q);
      if (p >= 0 && p + FIELD_RANK[f] < rank) {
        rank = p + FIELD_RANK[f];
        field = f;
      }
    }
    if (rank === Infinity && words.length > 1) {
      const all = `${text.name} ${text.id} ${text.owner}`;
      if (words.every((w) => all.includes(w))) {
        rank = WORDS_RANK;
        field = words.every((w) => text.name.includes(w)) ? "name" : "id";
      }
    }
    if (rank !== Infinity) found.push({ id: m.id, name: m.name, owner, field, rank, order });
  }
  found.sort((a, b) => a.rank - b.rank || a.order - b.order);
  return {
    matches: found.slice(0, Math.max(0, limit)).map(({ order: _, ...match }) => match),
    total: found.length,
  };
}
