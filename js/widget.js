// The anywidget view of a KPI tree. Python owns the numbers (docs/widget-protocol.md, v2): the
// view draws the `structure` trait, merges the numbers deltas Python sends (redrawing only the
// cards they name), shows `error`, syncs `selected`, `period`, `scenario` and `focus`, and sends
// edits and solves as requests, each answered on its own.

import { fileName, historyKey } from "./build.js";
import { Builder } from "./builder.js";
import { Camera } from "./camera.js";
import { Card } from "./card.js";
import { changeNote, markChanged, movedFields, numbersOf, showChangeNote } from "./changes.js";
import { h, svg } from "./dom.js";
import { Editor } from "./editor.js";
import { CARD_H, CARD_W, layoutTree } from "./layout.js";
import { renderBanner, renderNotice } from "./banner.js";
import { drawEdges } from "./edges.js";
import { renderPanel } from "./panel.js";
import { fromStructure, mergeNumbers } from "./protocol.js";
import { Minimap, MINIMAP_ABOVE } from "./minimap.js";
import { Requests } from "./request.js";
import { searchMetrics } from "./search.js";
import { SearchBox } from "./search-box.js";
import { Toolbar } from "./toolbar.js";
import { ancestors, hasKids, indexTree, initialCollapsed } from "./tree.js";
import {
  autoFit,
  autoHeight,
  centerIn,
  fitBox,
  intersects,
  panIntoView,
  READABLE_SCALE,
  visibleRect,
  zoomAt,
} from "./viewport.js";

/**
 * @typedef {import("./types.js").Model} Model
 * @typedef {import("./types.js").TreeData} TreeData
 * @typedef {import("./types.js").ErrorInfo} ErrorInfo
 * @typedef {import("./types.js").Numbers} Numbers
 * @typedef {import("./types.js").Answer} Answer
 * @typedef {import("./protocol.js").Drawn} Drawn
 * @typedef {import("./types.js").EditField} EditField
 * @typedef {import("./layout.js").Layout} Layout
 * @typedef {import("./layout.js").LayoutNode} LayoutNode
 * @typedef {import("./tree.js").TreeIndex} TreeIndex
 * @typedef {import("./viewport.js").Transform} Transform
 * @typedef {import("./viewport.js").Rect} Rect
 * @typedef {import("./changes.js").Moved} Moved
 * @typedef {import("./changes.js").Change} Change
 */

/** Above this many drawn metrics, only cards near the viewport are in the DOM. */
const CULL_ABOVE = 300;
/** Viewport pixels around the view whose cards are kept rendered. */
const CULL_MARGIN = 400;
/**
 * The automatic fit (first render, expand / collapse all) never shrinks cards below this scale,
 * so their text stays readable; a tree too big for it is panned. The Fit button may go smaller.
 */
export const AUTO_FIT_MIN_SCALE = 0.75;
const FIT_PADDING = 8;
/** The widget's height follows its tree's layout within these bounds (px). */
const MIN_HEIGHT = 320;
const MAX_HEIGHT = 720;
/** Size assumed for culling before the view has been laid out by the browser. */
const FALLBACK_VIEW = { width: 1200, height: 800 };
/** How long the view's notices show (ms): the wheel hint, and what Fit could not show. */
const WHEEL_HINT_MS = 1600;
const FIT_NOTICE_MS = 8000;

let instances = 0;

class TreeView {
  /**
   * @param {Model} model
   * @param {HTMLElement} el
   */
  constructor(model, el) {
    this.model = model;
    this.uid = ++instances;
    /** @type {Drawn} */
    this.drawn = fromStructure(undefined);
    /** @type {TreeData} */
    this.data = this.drawn.data;
    this.requests = new Requests(model);
    /** @type {TreeIndex} */
    this.index = indexTree(this.data);
    /** @type {Set<string>} */
    this.collapsed = new Set();
    /** @type {Layout} */
    this.layout = layoutTree(this.index, this.collapsed);
    /** @type {Map<string, Card>} */
    this.cards = new Map();
    /** Bumped whenever what the cards show changes; cards redraw when behind. */
    this.version = 0;
    /** @type {WeakMap<Card, number>} */
    this.cardVersions = new WeakMap();
    this.selected = "";
    /** The in-place editor and the edit awaiting its answer (UI-only state). */
    this.editing = new Editor({
      metric: (id) => this.index.byId.get(id),
      field: (id, field) => this.bringIntoView(id)?.fields[field],
      order: () => this.layout.nodes.map((n) => n.id),
      send: (pending) => {
        const before = this.index.byId.get(pending.metric)?.[pending.field] ?? null;
        this.requests.send("edit", pending).then(
          (answer) => {
            this.answered(pending, answer);
            if (answer?.ok) this.noteChange({ kind: "edit", ...pending, before });
          },
          (err) => this.unanswered(pending, err),
        );
      },
      opened: () => this.version++,
      changed: () => this.redrawCards(),
    });
    /** @type {ErrorInfo | null} */
    this.error = null;
    /** @type {ErrorInfo | null} the error whose banner the person dismissed */
    this.dismissed = null;
    /** @type {string | null} a solve's note, shown in the banner until the next request */
    this.solveNote = null;
    /** Size the widget to the tree once the view has a width (a new tree). */
    this.sizePending = false;
    /** The height this view gave the widget; any other height was set by hand (resize). */
    this.autoHeightPx = "";
    this.resizeFrame = 0;
    /** @type {Map<string, string>} the lever last picked per metric for "solve for" */
    this.levers = new Map();
    this.frame = 0;
    /** @type {(() => void)[]} */
    this.cleanups = [];

    this.toolbar = new Toolbar({
      onPeriod: (p) => this.setTrait("period", p),
      onScenario: (s) => this.setTrait("scenario", s),
      onZoom: (f) => this.zoomBy(f),
      onFit: () => this.fitButton(),
      onExpandAll: () => this.setCollapsed(new Set()),
      onCollapseAll: () =>
        this.setCollapsed(initialCollapsed(this.index, { smallTree: 0, openDepth: 1 })),
      onShowAll: () => this.setTrait("focus", null),
      history: {
        onUndo: () => this.step("undo"),
        onRedo: () => this.step("redo"),
        onSave: () => this.saveFile(),
      },
      onRefresh: () => this.refresh(),
    });
    /** Building the tree from the panel and the cards (UI-only state). */
    this.builder = this.makeBuilder();
    this.banner = h("div", { className: "kpt-banner-slot" });
    this.edges = svg("svg", { class: "kpt-edges", "aria-hidden": "true" });
    this.cardLayer = h("div", { className: "kpt-cards" });
    this.stage = h("div", { className: "kpt-stage" }, [this.edges, this.cardLayer]);
    this.empty = h("div", { className: "kpt-empty", text: "This tree has no metrics." });
    this.viewport = h("div", { className: "kpt-viewport" }, [this.stage, this.empty]);
    /** Pan, zoom and the automatic fit: state of this view only, never synced. */
    this.camera = new Camera(this.viewport, () => this.applyTransform(), AUTO_FIT_MIN_SCALE);
    this.panel = h("aside", { className: "kpt-panel", attrs: { "aria-label": "Metric details" } });
    // navigation: the search box, the overview, the notices and what the last change moved
    // (state of this view only, never synced)
    this.search = new SearchBox({
      find: (query) => searchMetrics(this.index.byId.values(), query),
      onPick: (id) => this.reveal(id),
    });
    this.toolbar.addSearch(this.search.el);
    this.minimap = new Minimap((cx, cy) => this.jumpTo(cx, cy));
    this.notice = h("div", { className: "kpt-notice", attrs: { "data-role": "notice" } });
    this.notice.hidden = true;
    this.noticeTimer = 0;
    this.camera.onPlainWheel = () => this.showNotice("wheel", wheelHint(), WHEEL_HINT_MS);
    /** @type {Moved} the metrics whose numbers the last change moved (marked on their cards) */
    this.changed = new Map();
    /** @type {Change | null} the last edit or solve answered, for the panel's note */
    this.change = null;
    // The panel and the banner float over the canvas: opening them never resizes it, so the
    // tree keeps its scale and position.
    this.body = h("div", { className: "kpt-body" }, [
      this.viewport,
      this.minimap.el,
      this.notice,
      this.banner,
      this.panel,
    ]);
    // focusable, so Ctrl/Cmd+Z after a click on the tree reaches this widget alone
    this.root = h("div", { className: "kpt-root", attrs: { tabindex: "-1" } }, [
      this.toolbar.el,
      this.body,
    ]);
    this.root.style.setProperty("--kpt-card-w", `${CARD_W}px`);
    this.root.style.setProperty("--kpt-card-h", `${CARD_H}px`);
    el.append(this.root);

    /** The focus the drawn tree was made for: a new focus is a new tree (fitted anew). */
    this.focusKey = focusKey(model.get("focus"));

    this.listenToModel();
    this.showSources();
    this.listenToDom();
    this.selected = String(model.get("selected") ?? "");
    this.setData(model.get("structure"));
    this.showError(model.get("error"));
    this.updateHistory();
    // the structure's snapshot may be older than the deltas sent since (a second display)
    this.askSnapshot();
  }

  destroy() {
    clearTimeout(this.noticeTimer);
    for (const cleanup of this.cleanups) cleanup();
    this.cleanups = [];
    cancelAnimationFrame(this.frame);
    cancelAnimationFrame(this.resizeFrame);
    this.requests.close();
    this.root.remove();
  }

  // ---- wiring -------------------------------------------------------------------------------

  listenToModel() {
    /** @type {[string, () => void][]} */
    const handlers = [
      ["change:structure", () => this.setData(this.model.get("structure"))],
      ["change:error", () => this.showError(this.model.get("error"))],
      ["change:selected", () => this.selectFromModel(String(this.model.get("selected") ?? ""))],
      // Python rolls back a rejected period or scenario: show the one really displayed.
      ["change:period", () => this.toolbar.update(this.data)],
      ["change:scenario", () => this.toolbar.update(this.data)],
      // Python sends the new focus before the tree_data it makes; "Show all" hides at once
      ["change:focus", () => this.updateFocus()],
      ["change:can_undo", () => this.updateHistory()],
      ["change:can_redo", () => this.updateHistory()],
      ["change:file", () => this.updateHistory()],
      ["change:sources", () => this.showSources()],
    ];
    for (const [event, handler] of handlers) {
      this.model.on(event, handler);
      this.cleanups.push(() => this.model.off(event, handler));
    }
    /** @param {unknown} msg */
    const onCustom = (msg) => {
      const m = /** @type {Partial<Numbers>} */ (msg && typeof msg === "object" ? msg : {});
      if (m.kind === "numbers") this.applyNumbers(/** @type {Numbers} */ (m));
    };
    this.model.on("msg:custom", onCustom);
    this.cleanups.push(() => this.model.off("msg:custom", onCustom));
  }

  listenToDom() {
    const vp = this.viewport;
    this.camera.listen(vp);
    this.cardLayer.addEventListener("click", (e) => this.onCardClick(e));
    this.cardLayer.addEventListener("keydown", (e) => this.onCardKey(e));
    this.root.addEventListener("keydown", (e) => {
      // Keys typed into the widget's controls must not reach the notebook's shortcuts.
      if (e.target instanceof Element && e.target.closest("input, select, button, [data-field]")) {
        e.stopPropagation();
      }
    });
    this.listenForBuilding();
    if (typeof ResizeObserver !== "undefined") {
      const observer = new ResizeObserver(() => this.onResize());
      observer.observe(vp);
      this.cleanups.push(() => observer.disconnect());
    }
  }

  /**
   * @param {string} name
   * @param {string | null} value
   */
  setTrait(name, value) {
    this.model.set(name, value);
    this.model.save_changes();
  }

  // ---- data ---------------------------------------------------------------------------------

  /** @param {unknown} raw  the `structure` trait */
  setData(raw) {
    const drawn = fromStructure(raw);
    const data = drawn.data;
    const focus = focusKey(this.model.get("focus"));
    const sameTree =
      data.root === this.data.root &&
      data.name === this.data.name &&
      focus === this.focusKey &&
      this.index.byId.size > 0;
    this.focusKey = focus;
    this.drawn = drawn;
    this.data = data;
    this.index = indexTree(data);
    if (sameTree) {
      this.collapsed = new Set([...this.collapsed].filter((id) => hasKids(this.index, id)));
    } else {
      this.collapsed = initialCollapsed(this.index);
      this.camera.autoFit = AUTO_FIT_MIN_SCALE;
      this.sizePending = true;
      this.changed = new Map();
      this.change = null;
    }
    const editor = this.editing.current;
    if (editor && !this.index.byId.has(editor.metric)) this.editing.close();
    this.editing.settle();
    this.toolbar.update(data);
    this.updateFocus();
    this.empty.hidden = this.index.byId.size > 0;
    this.renderPanel();
    const drawnBefore = this.layout.nodes.length;
    // New numbers for the same tree keep the scale and position; a new tree is fitted.
    this.relayout(!sameTree);
    if (sameTree && this.layout.nodes.length !== drawnBefore) this.resizeForBuilding();
    this.renderBanner();
  }

  /**
   * A numbers snapshot or delta from Python: merge it and redraw only the cards it names (a
   * snapshot: every card). A delta the view cannot apply (it missed one) asks for a snapshot.
   * @param {Numbers} numbers
   */
  applyNumbers(numbers) {
    const byId = this.index.byId;
    const before = numbers.base === null ? null : numbersOf(byId, Object.keys(numbers.metrics));
    const changed = mergeNumbers(this.drawn, byId, numbers);
    if (changed === "gap") {
      this.askSnapshot();
      return;
    }
    if (changed === "ignored") return;
    if (numbers.base === null) {
      this.changed = new Map(); // every number anew (a period, a scenario): nothing to mark
      this.version++;
      this.syncCards();
      this.renderPanel();
      this.drawMinimap();
      return;
    }
    const moved = before ? movedFields(before, byId) : new Map();
    if (moved.size) this.markMoved(moved);
    this.minimap.recolor(changed, byId);
    for (const id of changed) {
      const card = this.cards.get(id);
      const node = this.layout.byId.get(id);
      if (card && node) {
        this.cardVersions.delete(card);
        this.drawCard(node);
      }
    }
    if (changed.includes(this.selected)) this.renderPanel();
  }

  /** Ask Python for every number unless the view already has the latest. */
  askSnapshot() {
    const { key, revision } = this.drawn;
    this.requests
      .send("snapshot", { revision, structure: key })
      .then((answer) => {
        if (answer?.numbers) this.applyNumbers(answer.numbers);
      })
      .catch(() => {}); // no kernel (a static page): the structure's snapshot is all there is
  }

  /**
   * Python's answer to an edit or a solve: the request is no longer pending; a refusal shows
   * beside its field (the `error` trait says the same to every view).
   * @param {{metric: string, field: EditField, text: string} | null} pending
   * @param {Answer} answer
   */
  answered(pending, answer) {
    if (pending && this.editing.settle(pending)) this.redrawCards();
    if (answer && !answer.ok && answer.error) this.showError(answer.error);
  }

  /**
   * A request Python never answered.
   * @param {{metric: string, field: EditField, text: string} | null} pending
   * @param {unknown} err
   */
  unanswered(pending, err) {
    if (pending && this.editing.settle(pending)) this.redrawCards();
    this.showError({
      metric: pending?.metric ?? null,
      field: pending?.field ?? null,
      period: null,
      text: pending?.text ?? null,
      message: err instanceof Error ? err.message : String(err),
    });
  }

  /** The refresh button shows when the tree has data sources. */
  showSources() {
    const sources = this.model.get("sources");
    this.toolbar.refresh.show(Array.isArray(sources) && sources.length > 0);
  }

  /** Refresh from the data sources: progress, then "refreshed at" or the error's banner. */
  refresh() {
    this.toolbar.refresh.set("busy");
    this.requests.send("refresh", {}).then(
      (answer) => {
        this.toolbar.refresh.set(answer.ok ? "done" : "failed", answer.refreshed_at ?? undefined);
        this.answered(null, answer);
      },
      (err) => {
        this.toolbar.refresh.set("failed");
        this.unanswered(null, err);
      },
    );
  }

  /** The toolbar's "Showing N metrics · Show all" while a focus is set. */
  updateFocus() {
    const focus = this.model.get("focus");
    const metrics = this.data.metrics;
    this.toolbar.updateFocus(
      Array.isArray(focus)
        ? {
            shown: metrics.length,
            focused: metrics.filter((m) => !m.context).length,
            total: this.data.total_metrics ?? null,
          }
        : null,
    );
  }

  /** @param {unknown} raw */
  showError(raw) {
    const err = /** @type {ErrorInfo | null} */ (raw && typeof raw === "object" ? raw : null);
    this.error = err?.message ? err : null;
    this.editing.settle();
    this.version++;
    this.syncCards();
    this.renderBanner();
    // a rejected field stays in sight (below the banner, beside the panel)
    if (this.error?.metric && this.layout.byId.has(this.error.metric)) {
      this.bringIntoView(this.error.metric);
    }
  }

  /**
   * A note that came with a successful answer (a solve beyond the lever's history), shown in
   * the banner until dismissed or the next solve.
   * @param {string | null} text
   */
  showSolveNote(text) {
    this.solveNote = text || null;
    this.renderBanner();
  }

  redrawCards() {
    this.version++;
    this.syncCards();
  }

  // ---- layout and drawing -------------------------------------------------------------------

  /** @param {boolean} fit  fit the new layout to the view (a new tree or a new shape) */
  relayout(fit) {
    this.layout = layoutTree(this.index, this.collapsed, this.data.hypotheses);
    this.drawMinimap();
    this.drawEdges();
    this.version++;
    if (fit && this.camera.autoFit !== null) this.fitNow();
    else this.applyTransform();
    this.syncCards();
  }

  /**
   * Replace the closed subtrees and fit the new shape to the view.
   * @param {Set<string>} collapsed
   */
  setCollapsed(collapsed) {
    this.collapsed = collapsed;
    this.camera.autoFit = AUTO_FIT_MIN_SCALE;
    this.relayout(true);
  }

  /**
   * Open or close one subtree, keeping its card where it is on screen.
   * @param {string} id
   */
  toggle(id) {
    const before = this.layout.byId.get(id);
    if (this.collapsed.has(id)) this.collapsed.delete(id);
    else this.collapsed.add(id);
    this.camera.autoFit = null;
    this.layout = layoutTree(this.index, this.collapsed, this.data.hypotheses);
    const after = this.layout.byId.get(id);
    if (before && after) {
      const t = this.camera.transform;
      this.camera.transform = {
        k: t.k,
        x: t.x + (before.x - after.x) * t.k,
        y: t.y + (before.y - after.y) * t.k,
      };
    }
    this.drawMinimap();
    this.drawEdges();
    this.version++;
    this.applyTransform();
    this.syncCards();
  }

  drawEdges() {
    drawEdges(
      this.edges,
      this.layout,
      (id) => this.index.byId.get(id)?.name ?? id,
      `kpt-arrow-${this.uid}`,
    );
  }

  /** Create, update and drop cards so the DOM holds those near the view (or all, when few). */
  syncCards() {
    const keep = new Set(this.nodesToRender().map((n) => n.id));
    const editor = this.editing.current;
    if (editor) keep.add(editor.metric);
    for (const [id, card] of this.cards) {
      if (!keep.has(id) || !this.layout.byId.has(id)) {
        card.el.remove();
        this.cards.delete(id);
      }
    }
    for (const id of keep) {
      const node = this.layout.byId.get(id);
      if (node) this.drawCard(node);
    }
  }

  /** @param {LayoutNode} node */
  drawCard(node) {
    const metric = this.index.byId.get(node.id);
    if (!metric) return;
    let card = this.cards.get(node.id);
    if (!card) {
      card = new Card(node.id);
      this.cards.set(node.id, card);
      this.cardLayer.append(card.el);
    }
    card.place(node.x, node.y);
    if (this.cardVersions.get(card) === this.version) return;
    this.cardVersions.set(card, this.version);
    const err = this.error;
    const { current: editor, pending } = this.editing;
    card.update(metric, {
      node,
      selected: this.selected === node.id,
      editing: editor?.metric === node.id ? editor.field : null,
      pending: pending?.metric === node.id ? pending : null,
      error:
        err && err.metric === node.id
          ? { field: err.field ?? null, message: String(err.message) }
          : null,
    });
    markChanged(card.el, this.changed.get(node.id));
  }

  /** @returns {LayoutNode[]} */
  nodesToRender() {
    const nodes = this.layout.nodes;
    if (nodes.length <= CULL_ABOVE) return nodes;
    const rect = visibleRect(this.camera.transform, this.viewSize(), CULL_MARGIN);
    return nodes.filter((n) => intersects(rect, { x: n.x, y: n.y, width: CARD_W, height: CARD_H }));
  }

  viewSize() {
    const width = this.viewport.clientWidth;
    const height = this.viewport.clientHeight;
    return width > 0 && height > 0 ? { width, height } : FALLBACK_VIEW;
  }

  /**
   * Every error also shows in the banner above the canvas, unscaled, so it reads at any zoom.
   * An error about a drawn card is a copy of the message beside its field (which keeps
   * `data-role="error"`); any other failure lives only here and carries it.
   */
  renderBanner() {
    if (this.solveNote && (!this.error || this.error === this.dismissed)) {
      renderNotice(this.banner, this.solveNote, () => {
        this.solveNote = null;
      });
      return;
    }
    const err = this.error;
    const metric = err?.metric ? this.index.byId.get(err.metric) : undefined;
    renderBanner(this.banner, {
      error: err && err !== this.dismissed ? err : null,
      metric: metric ? { id: metric.id, name: metric.name } : null,
      onCard: !!metric && this.layout.byId.has(metric.id),
      onDismiss: () => {
        this.dismissed = err;
      },
      onShow: (id) => {
        this.openAncestors(id);
        this.bringIntoView(id);
      },
    });
  }

  renderPanel() {
    const metric = this.index.byId.get(this.selected);
    this.panel.hidden = !metric;
    this.body.classList.toggle("kpt-panel-open", !!metric);
    if (!metric) {
      this.panel.replaceChildren();
      return;
    }
    // a field being typed in keeps its focus (and caret) through a redraw
    const active = this.panel.contains(document.activeElement)
      ? /** @type {HTMLElement} */ (document.activeElement)
      : null;
    const hook = active?.getAttribute("data-field") ?? null;
    const caret = active instanceof HTMLInputElement ? active.selectionStart : null;
    renderPanel(this.panel, {
      builder: this.builder,
      metric,
      index: this.index,
      hypotheses: this.data.hypotheses,
      lever: this.levers.get(metric.id) ?? "",
      onSelect: (id) => this.select(id),
      onClose: () => this.select(""),
      onLever: (lever) => this.levers.set(metric.id, lever),
      onSolve: (id, lever) => {
        this.showSolveNote(null);
        const before = this.index.byId.get(lever)?.target ?? null;
        this.requests.send("solve", { metric: id, lever }).then(
          (answer) => {
            this.answered(null, answer);
            this.showSolveNote(answer?.ok ? (answer.note ?? null) : null);
            if (answer?.ok) {
              this.noteChange({ kind: "solve", metric: lever, field: "target", before, solved: id });
            }
          },
          (err) => this.unanswered(null, err),
        );
      },
    });
    this.renderChangeNote();
    const again = hook ? this.panel.querySelector(`[data-field="${hook}"]`) : null;
    if (again instanceof HTMLElement) {
      again.focus({ preventScroll: true });
      if (again instanceof HTMLInputElement && caret !== null) {
        again.setSelectionRange(caret, caret);
      }
    }
  }

  // ---- pan and zoom -------------------------------------------------------------------------

  applyTransform() {
    const { x, y, k } = this.camera.transform;
    this.stage.style.transform = `translate(${x}px, ${y}px) scale(${k})`;
    this.minimap.moveFrame(this.camera.transform, this.viewSize());
    if (this.layout.nodes.length > CULL_ABOVE) this.scheduleSync();
  }

  scheduleSync() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.syncCards();
    });
  }

  /** @param {number} minScale */
  fit(minScale) {
    this.camera.autoFit = minScale;
    this.fitNow();
  }

  /** Fit the tree; along an axis where it is too big to fit readably, show its root instead. */
  fitNow() {
    if (this.camera.autoFit === null) return;
    this.sizeToTree();
    const root = this.layout.nodes[0];
    this.camera.transform = autoFit(
      this.openArea(false),
      this.layout,
      root ? { x: root.x, y: root.y, width: CARD_W, height: CARD_H } : null,
      { minScale: this.camera.autoFit, padding: FIT_PADDING },
    );
    this.applyTransform();
  }

  /**
   * Give a new tree a height that suits it (a short tree a short widget, a tall one up to
   * MAX_HEIGHT), once the view has a width; never after the person resized the widget.
   */
  sizeToTree() {
    if (!this.sizePending) return;
    const width = this.viewport.clientWidth;
    if (!(width > 0)) return; // not laid out yet: the first resize comes back here
    this.sizePending = false;
    const current = this.root.style.height;
    if (current && current !== this.autoHeightPx) return;
    const chrome = this.root.offsetHeight - this.viewport.clientHeight;
    const px = autoHeight(this.layout, width, {
      chrome,
      padding: FIT_PADDING,
      minScale: AUTO_FIT_MIN_SCALE,
      min: MIN_HEIGHT,
      max: MAX_HEIGHT,
    });
    this.autoHeightPx = `${px}px`;
    if (current !== this.autoHeightPx) this.root.style.height = this.autoHeightPx;
  }

  /**
   * The part of the viewport the panel (and, for `belowBanner`, the error banner) leaves
   * free, in viewport pixels. A panel taking more than half a narrow view is ignored.
   * @param {boolean} belowBanner
   * @returns {Rect}
   */
  openArea(belowBanner) {
    const view = this.viewSize();
    const panel = this.panel.hidden ? 0 : this.panel.offsetWidth;
    const width = panel && view.width - panel >= view.width / 2 ? view.width - panel : view.width;
    const banner = this.banner.firstElementChild;
    const top =
      belowBanner && banner instanceof HTMLElement
        ? Math.min(view.height / 2, this.banner.offsetTop + this.banner.offsetHeight)
        : 0;
    return { x: 0, y: top, width, height: view.height - top };
  }

  onResize() {
    if (this.sizePending) {
      // resizing the widget from inside a ResizeObserver callback would loop: next frame
      cancelAnimationFrame(this.resizeFrame);
      this.resizeFrame = requestAnimationFrame(() => {
        this.resizeFrame = 0;
        this.sizeToTree();
        this.fitNow();
        this.scheduleSync();
      });
      return;
    }
    if (this.camera.autoFit !== null) this.fitNow();
    this.scheduleSync();
  }

  /** @param {number} factor */
  zoomBy(factor) {
    const view = this.viewSize();
    this.setTransform(zoomAt(this.camera.transform, factor, view.width / 2, view.height / 2));
  }

  /** @param {Transform} t */
  setTransform(t) {
    this.camera.set(t);
  }

  /**
   * Make a drawn metric's card exist and sit wholly in view, beside the panel and below the
   * banner, with the smallest pan that does it (the scale never changes).
   * @param {string} id
   * @returns {Card | undefined}
   */
  bringIntoView(id) {
    const node = this.layout.byId.get(id);
    if (!node) return undefined;
    // before the browser has laid the view out there is nothing to pan against
    if (this.viewport.clientWidth > 0 && this.viewport.clientHeight > 0) {
      const box = { x: node.x, y: node.y, width: CARD_W, height: CARD_H };
      const t = panIntoView(this.camera.transform, this.openArea(true), box);
      if (t !== this.camera.transform) this.setTransform(t);
    }
    this.drawCard(node);
    return this.cards.get(id);
  }

  // ---- selection ----------------------------------------------------------------------------

  /** @param {string} id */
  select(id) {
    if (id === this.selected) return;
    this.selected = id;
    this.setTrait("selected", id);
    this.refreshSelection();
    if (id) this.bringIntoView(id);
  }

  /**
   * A selection made in Python (or another view): open its ancestors and show it.
   * @param {string} id
   */
  selectFromModel(id) {
    if (id === this.selected) return;
    this.selected = id;
    this.openAncestors(id);
    this.refreshSelection();
    if (id) this.bringIntoView(id);
  }

  /**
   * Open the collapsed subtrees that hide a metric (keeping the scale).
   * @param {string} id
   */
  openAncestors(id) {
    const hidden = ancestors(this.index, id).filter((a) => this.collapsed.has(a));
    if (!hidden.length) return;
    hidden.forEach((a) => this.collapsed.delete(a));
    this.camera.autoFit = null;
    this.relayout(false);
    this.renderBanner();
  }

  /** Redraw for a new selection. The panel floats over the canvas: no fit, no new scale. */
  refreshSelection() {
    this.version++;
    this.renderPanel();
    this.syncCards();
    this.drawMinimap();
  }

  // ---- navigation: search, overview, Fit, what changed ----------------------------------------

  /**
   * Show a metric found by search: open the subtrees that hide it, select it (the panel opens)
   * and centre it beside the panel, at a readable scale.
   * @param {string} id
   */
  reveal(id) {
    if (!this.index.byId.has(id)) return;
    this.openAncestors(id);
    this.select(id);
    const node = this.layout.byId.get(id);
    if (!node) return;
    const k = Math.max(this.camera.transform.k, READABLE_SCALE);
    this.setTransform(
      centerIn(this.openArea(true), node.x + CARD_W / 2, node.y + CARD_H / 2, k),
    );
    this.syncCards();
  }

  /**
   * Centre the view on content point (cx, cy): a click in the overview.
   * @param {number} cx
   * @param {number} cy
   */
  jumpTo(cx, cy) {
    this.setTransform(centerIn(this.openArea(false), cx, cy, this.camera.transform.k));
    this.scheduleSync();
  }

  /** The overview, for trees past MINIMAP_ABOVE metrics. */
  drawMinimap() {
    const show = this.index.byId.size > MINIMAP_ABOVE && this.layout.nodes.length > 0;
    this.minimap.draw(this.layout, this.index.byId, this.selected, show);
    this.minimap.moveFrame(this.camera.transform, this.viewSize());
  }

  /**
   * The Fit button: the whole tree when it fits at a readable scale (READABLE_SCALE or more);
   * else the selected metric and what is below it, or the top levels from the root, at that
   * scale, and a notice saying so.
   */
  fitButton() {
    const area = this.openArea(false);
    const root = this.layout.nodes[0];
    if (!root) return;
    const options = { padding: FIT_PADDING, minScale: READABLE_SCALE };
    const whole = fitBox(area, { x: 0, y: 0, ...sizeOf(this.layout) }, cardBox(root), options);
    if (whole.whole) {
      this.hideNotice("fit");
      this.fit(READABLE_SCALE);
      return;
    }
    const pct = `${Math.max(1, Math.floor(whole.needed * 100))}%`;
    const selected = this.layout.byId.get(this.selected);
    let fit = whole;
    let shown = "its top levels, from the root";
    if (selected && selected !== root) {
      fit = fitBox(area, subtreeBox(this.layout, selected), cardBox(selected), options);
      const name = this.index.byId.get(selected.id)?.name ?? selected.id;
      shown = selected.hasKids && !selected.collapsed ? `${name} and what is below it` : name;
    }
    this.setTransform(fit.transform);
    this.syncCards();
    this.showNotice(
      "fit",
      `The whole tree would need ${pct} to fit, too small to read: showing ${shown} at ` +
        `${Math.round(fit.transform.k * 100)}%. Drag${
          this.minimap.el.hidden ? "" : " or click the overview"
        } to see the rest.`,
      FIT_NOTICE_MS,
    );
  }

  /**
   * A short message over the canvas (`data-role="notice"`, `data-kind` says which).
   * @param {string} kind
   * @param {string} text
   * @param {number} ms
   */
  showNotice(kind, text, ms) {
    // the wheel hint never replaces a notice about Fit
    if (kind === "wheel" && !this.notice.hidden && this.notice.dataset.kind !== "wheel") return;
    this.notice.dataset.kind = kind;
    if (this.notice.textContent !== text) this.notice.textContent = text;
    this.notice.hidden = false;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = window.setTimeout(() => this.hideNotice(kind), ms);
  }

  /** @param {string} kind */
  hideNotice(kind) {
    if (this.notice.dataset.kind !== kind) return;
    clearTimeout(this.noticeTimer);
    this.notice.hidden = true;
  }

  /**
   * Mark the metrics a numbers delta moved (and unmark those the last one did).
   * @param {Moved} moved
   */
  markMoved(moved) {
    const before = this.changed;
    this.changed = moved;
    for (const id of new Set([...before.keys(), ...moved.keys()])) {
      const card = this.cards.get(id);
      if (card) markChanged(card.el, moved.get(id));
    }
  }

  /**
   * An edit or a solve Python accepted: the panel says what it changed.
   * @param {Change} change
   */
  noteChange(change) {
    this.change = change;
    this.renderChangeNote();
  }

  /** The note "lever: old -> new" in the detail panel (when it is open). */
  renderChangeNote() {
    if (this.panel.hidden) return;
    const note = this.change
      ? changeNote(this.change, this.index.byId, this.changed.size, (id) => {
          this.openAncestors(id);
          this.bringIntoView(id);
        })
      : null;
    showChangeNote(this.panel, note);
  }

  // ---- cards and editing --------------------------------------------------------------------

  /** @param {MouseEvent} e */
  onCardClick(e) {
    const target = /** @type {Element} */ (e.target);
    const cardEl = target.closest("[data-metric]");
    const id = cardEl?.getAttribute("data-metric");
    if (!id || target.closest("input")) return;
    if (this.builder.drawTo(id)) return;
    if (target.closest('[data-action="add-driver"]')) {
      this.startAddDriver(id);
      return;
    }
    if (target.closest(".kpt-toggle")) {
      this.toggle(id);
      return;
    }
    this.select(id);
    const field = target.closest("[data-field]")?.getAttribute("data-field");
    if (field === "value" || field === "target") this.editing.open(id, field);
  }

  /** @param {KeyboardEvent} e */
  onCardKey(e) {
    const target = /** @type {Element} */ (e.target);
    const field = target.getAttribute("data-field");
    const id = target.closest("[data-metric]")?.getAttribute("data-metric");
    if (!id || (field !== "value" && field !== "target") || !["Enter", " ", "F2"].includes(e.key))
      return;
    e.preventDefault();
    e.stopPropagation();
    this.select(id);
    this.editing.open(id, field);
  }

  // ---- building: the panel's fields, card actions, history and save -----------------------

  makeBuilder() {
    return new Builder({
      send: (name, msg) => this.requests.send(name, msg),
      metric: (id) => this.index.byId.get(id),
      metrics: () => this.data.metrics,
      hypotheses: () => this.data.hypotheses,
      select: (id) => this.select(id),
      changed: () => this.renderPanel(),
      say: (text) => this.toolbar.say(text),
      drawing: (source) => {
        this.root.classList.toggle("kpt-drawing", !!source);
        this.toolbar.say(source ? `Click the card that ${source} influences (Esc stops)` : "");
        this.renderPanel();
      },
    });
  }

  listenForBuilding() {
    /** @param {KeyboardEvent} e */
    const onKey = (e) => {
      if (e.key === "Escape" && this.builder.drawingFrom) {
        e.stopPropagation();
        this.builder.draw(null);
        return;
      }
      const step = historyKey(e);
      // inside a text field, Ctrl/Cmd+Z is the field's own undo
      if (!step || (e.target instanceof Element && e.target.closest("input, textarea"))) return;
      e.preventDefault();
      e.stopPropagation();
      this.step(step);
    };
    /** @param {PointerEvent} e */
    const onPointer = (e) => {
      // a click on the canvas gives the widget the keyboard (for Ctrl/Cmd+Z)
      if (e.target instanceof Element && !e.target.closest("input, select, button, textarea")) {
        this.root.focus({ preventScroll: true });
      }
    };
    this.root.addEventListener("keydown", onKey);
    this.viewport.addEventListener("pointerdown", onPointer);
    this.cleanups.push(() => {
      this.root.removeEventListener("keydown", onKey);
      this.viewport.removeEventListener("pointerdown", onPointer);
    });
  }

  /** @param {string} id  open the "add a driver" form of this metric, in the panel */
  startAddDriver(id) {
    this.select(id);
    this.builder.openAddDriver(id);
    const input = this.panel.querySelector('[data-field="new-id-input"]');
    if (input instanceof HTMLElement) input.focus({ preventScroll: true });
  }

  /** @param {"undo" | "redo"} name */
  step(name) {
    this.requests.send(name, {}).then(
      (answer) => {
        if (answer?.ok) this.toolbar.say(name === "undo" ? "Undone" : "Redone");
        else this.toolbar.say(answer?.error?.message ?? `${name} refused`, true);
      },
      (err) => this.unanswered(null, err),
    );
  }

  saveFile() {
    this.toolbar.say("Saving…");
    this.requests.send("save", {}).then(
      (answer) => {
        if (answer?.ok) this.toolbar.say(`Saved to ${fileName(answer.saved ?? "")}`);
        else this.toolbar.say(answer?.error?.message ?? "save refused", true);
      },
      (err) => this.unanswered(null, err),
    );
  }

  /** A tree built (or cut) in the view gets the height that suits it, unless resized by hand. */
  resizeForBuilding() {
    this.sizePending = true;
    this.sizeToTree();
  }

  updateHistory() {
    this.toolbar.updateHistory({
      canUndo: !!this.model.get("can_undo"),
      canRedo: !!this.model.get("can_redo"),
      file: String(this.model.get("file") ?? ""),
    });
  }
}

/**
 * What a plain wheel over the view says: it scrolls the page; how to zoom instead.
 * @returns {string}
 */
function wheelHint() {
  const mac = /Mac|iPhone|iPad/.test(globalThis.navigator?.platform ?? "");
  return `${mac ? "\u2318" : "Ctrl"} + scroll to zoom (or pinch) \u00b7 drag to pan`;
}

/**
 * @param {{width: number, height: number}} layout
 * @returns {{width: number, height: number}}
 */
function sizeOf(layout) {
  return { width: layout.width, height: layout.height };
}

/**
 * A laid-out card's box, content pixels.
 * @param {LayoutNode} node
 * @returns {Rect}
 */
function cardBox(node) {
  return { x: node.x, y: node.y, width: CARD_W, height: CARD_H };
}

/**
 * The box around a drawn card and the cards drawn below it (the layout is depth-first, so they
 * follow it until the next card no deeper than it).
 * @param {Layout} layout
 * @param {LayoutNode} node
 * @returns {Rect}
 */
function subtreeBox(layout, node) {
  const nodes = layout.nodes;
  let x0 = node.x;
  let y0 = node.y;
  let x1 = node.x + CARD_W;
  let y1 = node.y + CARD_H;
  for (let i = nodes.indexOf(node) + 1; i < nodes.length && nodes[i].depth > node.depth; i++) {
    const n = nodes[i];
    x0 = Math.min(x0, n.x);
    y0 = Math.min(y0, n.y);
    x1 = Math.max(x1, n.x + CARD_W);
    y1 = Math.max(y1, n.y + CARD_H);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The `focus` trait as a comparable string ("null" for the whole tree).
 * @param {unknown} focus
 */
function focusKey(focus) {
  return JSON.stringify(Array.isArray(focus) ? focus : null);
}

export default {
  /**
   * @param {{model: Model, el: HTMLElement}} context
   * @returns {() => void} cleanup
   */
  render({ model, el }) {
    const view = new TreeView(model, el);
    return () => view.destroy();
  },
};
