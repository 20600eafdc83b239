"""Trees for the widget's tests and benchmark (copied next to the notebooks the tests run)."""

from __future__ import annotations

import copy
from typing import Any

HOSTILE_NAMES = {
    "revenue": "<img src=x onerror=alert(1)>",
    "customers": "<script>alert('customers')</script>",
    "arpc": "</svg><svg onload=alert(2)> & \"quotes\" 'single'",
}

SMALL = {
    "name": "Acme revenue",
    "metrics": {
        "revenue": {"name": "Revenue", "formula": "customers * arpc", "unit": "currency",
                    "owner": "CEO"},
        "customers": {"name": "Customers",
                      "formula": "new_customers + returning_customers - lost_customers",
                      "unit": "count", "owner": "COO"},
        "new_customers": {"name": "New customers", "formula": "website_visitors * signup_rate",
                          "unit": "count", "owner": "VP Growth"},
        "website_visitors": {"name": "Website visitors", "value": 50000, "target": 60000,
                             "unit": "count", "owner": "Head of Content"},
        "signup_rate": {"name": "Signup rate", "value": 0.02, "target": 0.025,
                        "unit": "percent", "owner": "Growth PM"},
        "returning_customers": {"name": "Returning customers", "value": 4000, "target": 4200,
                                "unit": "count", "owner": "CRM Lead"},
        "lost_customers": {"name": "Lost customers", "value": 300, "target": 250,
                           "unit": "count", "direction": "down", "owner": "Head of Support"},
        "arpc": {"name": "Average revenue per customer", "value": 120, "target": 125,
                 "unit": "currency", "owner": "Head of Pricing"},
    },
}


def small_spec() -> dict[str, Any]:
    """The revenue tree of the worked example (8 metrics)."""
    return copy.deepcopy(SMALL)


def hostile_spec() -> dict[str, Any]:
    """The small tree with names, owners and a description that try to run code."""
    spec = small_spec()
    for metric_id, name in HOSTILE_NAMES.items():
        spec["metrics"][metric_id]["name"] = name
    spec["metrics"]["arpc"]["owner"] = "<b onmouseover=alert(3)>Pricing</b>"
    spec["metrics"]["signup_rate"]["description"] = "<iframe src=javascript:alert(4)>"
    spec["name"] = "<script>alert('tree')</script>"
    return spec


def big_spec(n: int = 2000, fanout: int = 4) -> dict[str, Any]:
    """A generated tree of ``n`` metrics: sums, with a product every few nodes, ``fanout``
    children per computed metric, built breadth first from ``m0``."""
    metrics: dict[str, dict[str, Any]] = {}
    children: dict[int, list[int]] = {}
    nxt = 1
    queue = [0]
    while queue and nxt < n:
        node = queue.pop(0)
        kids = list(range(nxt, min(n, nxt + fanout)))
        nxt += len(kids)
        children[node] = kids
        queue.extend(kids)
    for i in range(n):
        kids = children.get(i)
        spec: dict[str, Any] = {"name": f"Metric {i}", "owner": f"Owner {i % 37}",
                                "unit": "count"}
        if kids and len(kids) >= 2 and i % 5 == 2:
            # a product with a rate: m_a * m_b stays the same size as m_a
            spec["formula"] = f"m{kids[0]} * m{kids[1]}" + "".join(
                f" + m{k}" for k in kids[2:])
        elif kids:
            spec["formula"] = " + ".join(f"m{k}" for k in kids)
        else:
            spec["value"] = 90 + (i * 7) % 23
            spec["target"] = 100 + (i * 3) % 11
        metrics[f"m{i}"] = spec
    # the second factor of each product is a rate close to 1
    for i, kids in children.items():
        if len(kids) >= 2 and i % 5 == 2 and "formula" not in metrics[f"m{kids[1]}"]:
            metrics[f"m{kids[1]}"].update(value=0.97, target=1.02, unit="ratio")
    return {"name": f"Generated tree of {n} metrics", "root": "m0", "metrics": metrics}


def deepest_input(spec: dict[str, Any]) -> str:
    """An input of a generated tree far from the root (the last one made)."""
    return [m for m, s in spec["metrics"].items() if "formula" not in s][-1]
