// The tree's links as SVG: formula edges grouped by relation, their junction marks, the dashed
// hypothesis links with their sign badges and the dotted guard links. Redrawn only for a new
// layout.

import { edgeStyle } from "./colors.js";
import { svg } from "./dom.js";
import { JUNCTION_R } from "./layout.js";

/** @typedef {import("./layout.js").Layout} Layout */

/** Radius of the badge holding a hypothesis link's sign (content px). */
const HYP_BADGE_R = 9;

/**
 * Draw a layout's links into `el` (an `<svg>`), replacing what it held.
 * @param {SVGSVGElement | SVGElement} el
 * @param {Layout} layout
 * @param {(id: string) => string} nameOf  a metric's display name, for link titles
 * @param {string} arrow  the id of this view's arrow marker (unique in the page)
 */
export function drawEdges(el, layout, nameOf, arrow) {
  const { edges, junctions, hypotheses, guards, width, height } = layout;
  /** @type {Map<string, string[]>} */
  const byKind = new Map();
  for (const e of edges) {
    const key = e.shared ? `${e.kind} shared` : e.kind;
    const list = byKind.get(key);
    if (list) list.push(e.d);
    else byKind.set(key, [e.d]);
  }
  const paths = [...byKind].map(([key, ds]) => {
    const [kind, shared] = key.split(" ");
    const className = edgeStyle(kind).className + (shared ? " kpt-edge-shared" : "");
    return svg("path", { class: className, d: ds.join("") });
  });
  const marks = junctions.map((j) => {
    const g = svg("g", {
      class: `kpt-junction kpt-junction-${j.kind}`,
      transform: `translate(${j.x},${j.y})`,
    });
    g.append(
      svg("title", {}, j.title),
      svg("circle", { r: JUNCTION_R }),
      svg("text", { dy: "0.35em" }, edgeStyle(j.kind).symbol),
    );
    return g;
  });
  const name = nameOf;
  const links = hypotheses.map((x) => {
    const title = `Hypothesis: ${name(x.from)} \u2192 ${name(x.to)} (${x.sign || "?"})${
      x.note ? `: ${x.note}` : ""
    }`;
    const path = svg("path", {
      class: edgeStyle("hypothesis").className,
      d: x.d,
      "marker-end": `url(#${arrow})`,
    });
    path.append(svg("title", {}, title));
    // the expected sign in a badge on the link: reads as a label, not as part of the dashes
    const badge = svg("g", {
      class: "kpt-hyp-badge",
      transform: `translate(${x.labelX},${x.labelY})`,
    });
    badge.append(
      svg("title", {}, title),
      svg("circle", { r: HYP_BADGE_R }),
      svg("text", { dy: "0.35em" }, x.sign === "-" ? "\u2212" : x.sign || "?"),
    );
    const g = svg("g", { class: "kpt-hyp" });
    g.append(path, badge);
    return g;
  });
  // a guard and the metric it keeps in check: dotted, no arrow (as in the static pictures)
  const guardPaths = guards.map((x) => {
    const path = svg("path", {
      class: "kpt-edge kpt-edge-guard",
      d: x.d,
      "data-guard": x.from,
      "data-guards": x.to,
    });
    path.append(svg("title", {}, `Guard: ${name(x.from)} keeps ${name(x.to)} in check`));
    return path;
  });
  const defs = svg("defs");
  const marker = svg("marker", {
    id: arrow,
    viewBox: "0 0 10 10",
    refX: 9,
    refY: 5,
    markerWidth: 7,
    markerHeight: 7,
    orient: "auto-start-reverse",
  });
  marker.append(svg("path", { d: "M0,0L10,5L0,10z", class: "kpt-arrow" }));
  defs.append(marker);
  el.setAttribute("width", String(width));
  el.setAttribute("height", String(height));
  el.replaceChildren(defs, ...paths, ...guardPaths, ...marks, ...links);
}
