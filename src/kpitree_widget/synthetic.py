"""Synthetic trees of any size, for benchmarks, load tests and trying the view on a big tree.

>>> from kpitree_widget.synthetic import synthetic_spec
>>> spec = synthetic_spec(50, seed=1)
>>> len(spec["metrics"])
50
"""

from __future__ import annotations

import random
from typing import Any

SHAPES = ("sum", "product", "composite")


def synthetic_spec(n_metrics: int, *, periods: int = 0, scenarios: int = 0, seed: int = 0,
                   fan_out: tuple[int, int] = (2, 4)) -> dict[str, Any]:
    """A valid tree spec with ``n_metrics`` metrics: sums, products and composite formulas.

    Computed metrics have ``fan_out`` children; inputs have positive values and targets (per
    period when ``periods`` > 0, as monthly labels from 2024-01); ``scenarios`` named
    ``s1``, ``s2``, … each override the targets of a few inputs.
    """
    if n_metrics < 3:
        raise ValueError("a synthetic tree has at least 3 metrics")
    rng = random.Random(seed)
    children: dict[str, list[str]] = {"m0": []}
    frontier = ["m0"]  # computed metrics that may still take children, breadth first
    count = 1
    while count < n_metrics:
        parent = frontier.pop(0)
        want = rng.randint(*fan_out)
        for _ in range(min(want, n_metrics - count)):
            child = f"m{count}"
            count += 1
            children[parent].append(child)
            children[child] = []
            frontier.append(child)
    labels = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(periods)]
    metrics: dict[str, Any] = {}
    for metric_id, kids in children.items():
        if kids:
            metrics[metric_id] = {"formula": _formula(kids, rng.choice(SHAPES))}
        else:
            base = rng.uniform(0.5, 2.0)
            metrics[metric_id] = {
                "value": _numbers(base * rng.uniform(0.9, 1.1), labels, rng),
                "target": _numbers(base, labels, rng),
            }
    spec: dict[str, Any] = {"name": f"Synthetic tree ({n_metrics} metrics)", "root": "m0",
                            "metrics": metrics}
    inputs = [m for m, kids in children.items() if not kids]
    if scenarios:
        spec["scenarios"] = {
            f"s{k + 1}": {m: round(rng.uniform(0.5, 2.0), 6)
                          for m in rng.sample(inputs, min(10, len(inputs)))}
            for k in range(scenarios)
        }
    return spec


def _formula(kids: list[str], shape: str) -> str:
    if len(kids) == 1:
        return f"2 * {kids[0]}"
    if shape == "sum":
        return " + ".join(kids[:-1]) + f" - 0.5 * {kids[-1]}" if len(kids) > 2 else " + ".join(kids)
    if shape == "product":
        return " * ".join(kids)
    head, *rest = kids
    return f"{head} * ({' + '.join(rest)}) / (1 + {rest[-1]})"


def _numbers(center: float, labels: list[str], rng: random.Random) -> Any:
    if not labels:
        return round(center, 6)
    return {label: round(center * rng.uniform(0.95, 1.05), 6) for label in labels}


def synthetic_tree(n_metrics: int, **options: Any) -> Any:
    """A :class:`~kpitree_widget.KPITree` built from :func:`synthetic_spec`."""
    from .model import KPITree

    return KPITree.from_dict(synthetic_spec(n_metrics, **options))
