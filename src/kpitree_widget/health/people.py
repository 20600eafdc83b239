"""Ownership and target rules: one owner per metric (a person, not a team), a target per leaf,
and typed targets that agree with what the drivers add up to."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterator

import numpy as np

from .. import engine
from ..numbers import format_change
from .context import Context
from .registry import Hit, rule
from .words import TITLE_WORDS, bounded, is_team_name, joint_parts

_TEAM_SUFFIX = re.compile(r" (?:team|department|dept|group|squad)$", re.IGNORECASE)


@rule("owner.missing", "error", reads=("structure", "text"),
      reason="""Every leaf needs one person who moves it week by week. A leaf nobody owns is a
      number nobody manages: either the org chart has a gap or the metric does not belong.""",
      fix="Name the one person or role accountable for the leaf, or remove the leaf.")
def missing_owner(ctx: Context) -> Iterator[Hit]:
    for metric_id in ctx.leaves:
        if not (ctx.metric(metric_id).owner or "").strip():
            yield Hit(metric_id, f"{ctx.name(metric_id)} has no owner: name the one person or "
                      "role who will move it, or take it off the tree.")


@rule("owner.missing_output", "warning", reads=("structure", "text"),
      reason="""Computed metrics roll up from their leaves, but someone still answers for them
      in the monthly and quarterly reviews, usually the leader whose teams own the leaves.""",
      fix="Give the metric the owner who answers for it in reviews.")
def missing_output_owner(ctx: Context) -> Iterator[Hit]:
    for metric_id in ctx.order:
        metric = ctx.metric(metric_id)
        if not metric.is_input and not (metric.owner or "").strip():
            yield Hit(metric_id, f"{metric.name} has no owner: name the leader who answers for "
                      "it in reviews (often the one whose teams own the metrics below it).")


@rule("owner.joint", "error", reads=("structure", "text"),
      reason="""Joint ownership is no ownership: when 'Marketing and Sales' own a number, each
      can wait for the other and nobody is accountable when it misses.""",
      fix="Keep one owner; the others become contributors named in the description.")
def joint_owner(ctx: Context) -> Iterator[Hit]:
    for metric_id in ctx.order:
        owner = ctx.metric(metric_id).owner
        parts = joint_parts(owner) if owner else None
        if owner and parts:
            titled = [p for p in parts if TITLE_WORDS.search(p)]
            example = f" (for example the {titled[0]})" if titled else ""
            yield Hit(metric_id, f"{ctx.name(metric_id)} is owned jointly ({owner!r}): pick one "
                      f"owner{example} and make the others contributors.")


@rule("owner.team", "warning", reads=("structure", "text"),
      reason="""An owner should be a person or a role that can be held to the number. A team or
      department name spreads the accountability across everyone in it.""",
      fix="Name the role in that team who is accountable (e.g. 'Head of Marketing').")
def team_owner(ctx: Context) -> Iterator[Hit]:
    for metric_id in ctx.order:
        metric = ctx.metric(metric_id)
        owner = (metric.owner or "").strip()
        if owner and not joint_parts(owner) and is_team_name(owner, metric.team):
            team = _TEAM_SUFFIX.sub("", bounded(owner))
            yield Hit(metric_id, f"{metric.name} is owned by {owner!r}, a team rather than a "
                      f"person: name the accountable role (e.g. 'Head of {team}').")


@rule("target.missing", "warning", reads=("numbers", "structure", "text"), scoped=True,
      reason="""Each leaf needs a target, a number rather than a range, so the plan rolls up
      through the formulas to the North Star and a miss is visible.""",
      fix="Set a target on the leaf (tree.set_target or `target:` in the file).")
def missing_target(ctx: Context, only: Collection[str] | None = None) -> Iterator[Hit]:
    root = ctx.name(ctx.root)
    leaves = ctx.leaves if only is None else [
        m for m in ctx.scope(only) if ctx.metric(m).is_input]
    for metric_id in leaves:
        if ctx.tree.get_target(metric_id) is None:
            yield Hit(metric_id, f"{ctx.name(metric_id)} has no target: set a number (not a "
                      f"range) so the plan rolls up to {root}.")


@rule("target.gap", "warning", reads=("numbers", "structure", "text"), scoped=True,
      thresholds=("target_gap",),
      reason="""A target typed on a computed metric must be reachable through its formula. When
      it differs from what the drivers' targets add up to, the plan does not roll up and the
      gap is unassigned work.""",
      fix="""Raise or lower the drivers' targets to close the gap (tree.solve does it for one
      lever), or change the typed target.""")
def target_gap(ctx: Context, only: Collection[str] | None = None) -> Iterator[Hit]:
    tree = ctx.tree
    arrays, index = tree.arrays()
    periods: list[str | None] = list(tree.periods) or [None]
    tol = ctx.th["target_gap"]
    for metric_id in ctx.order if only is None else ctx.scope(only):
        metric = ctx.metric(metric_id)
        if metric.is_input:
            continue
        typed = tree.get_target(metric_id)
        if typed is None:
            continue
        implied = arrays[index[metric_id]][:, engine.TARGET]
        gaps: list[tuple[float, str | None, float, float]] = []
        for row, label in enumerate(periods):
            if isinstance(typed, dict):
                explicit = typed.get(label, math.nan) if label is not None else math.nan
            else:
                explicit = float(typed)
            want = float(implied[row])
            if not (np.isfinite(explicit) and np.isfinite(want)):
                continue
            scale = max(abs(want), abs(explicit))
            if scale and abs(explicit - want) > tol * scale:
                gaps.append((abs(explicit - want) / scale, label, explicit, want))
        if not gaps:
            continue
        _, label, explicit, want = max(gaps, key=lambda g: g[0])
        side = "above" if explicit > want else "below"
        pct = 100 * (explicit - want) / abs(want) if want else math.inf
        where = ""
        if label is not None:
            where = (f" in {label}" if len(gaps) == 1
                     else f" in {len(gaps)} periods (largest in {label})")
        yield Hit(metric_id, f"{metric.name}'s target {ctx.number(metric_id, explicit)} is "
                  f"{side} what its drivers' targets give ({ctx.number(metric_id, want)}, "
                  f"{format_change(pct)}){where}: adjust the drivers' targets (tree.solve) or the "
                  "target.")
