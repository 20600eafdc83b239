"""Random valid KPI trees for tests, reproducible from a seed.

``make_spec(n_metrics, seed)`` gives a mapping shaped like a tree file; ``make_tree`` builds the
:class:`~kpitree_widget.KPITree`. The trees are DAGs (some metrics feed two parents), with every
kind of formula the language allows, per-period and scalar numbers, explicit targets on some
computed metrics, gaps (inputs without a value or a target), hypotheses (including a driver that
only a hypothesis links to the tree), scenarios, awkward display text and awkward numbers
(``-0.0``, tiny, huge, not whole).

>>> spec = make_spec(8, seed=1)
>>> len(spec["metrics"])
8
>>> make_tree(8, seed=1).root
'm0'
"""

from __future__ import annotations

import random
from typing import Any

WORDS = ("revenue", "users", "rate", "orders", "churn", "cost", "margin", "visits", "price",
         "seats", "leads", "nps")
UNITS = (None, "currency", "percent", "count", "days", "ratio", "hours")
TEXTS = ("Revenue", "New customers", "Umsatz (€)", "売上", "rate: 12% # of visits", "it's \"ok\"",
         "yes", "null", "2026-01-01", "- dash", "trailing space ", "two\nlines", "~", "0x1F",
         "@owner", "Ünïcödé ✓")
MONTHLY = ("2025-11", "2025-12", "2026-01", "2026-02", "2026-03")
FREE_LABELS = ("launch", "jan", "feb", "plan_b", "q_a", "week 7")
SCENARIOS = ("upside", "downside", "plan_b", "Stretch 2026", "low-price")
SIGNS = ("+", "-", "positive", "negative", 1, -1)
SPECIAL_NUMBERS = (0, 0.0, -0.0, 1, -1, 0.1 + 0.2, 1e-300, 5e-324, 1e300, -2.5, 12345678901234567.0,
                   2**53 + 2.0, 1 / 3)


# The revenue tree of the project's examples (the `revenue_tree` fixture builds it).
REVENUE_SPEC: dict[str, Any] = {
    "name": "Acme revenue",
    "metrics": {
        "revenue": {"name": "Revenue", "formula": "customers * arpc", "unit": "currency",
                    "owner": "CEO"},
        "customers": {"name": "Customers", "unit": "count", "owner": "COO",
                      "formula": "new_customers + returning_customers - lost_customers"},
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
REVENUE_VALUE = (50000 * 0.02 + 4000 - 300) * 120  # 564,000
REVENUE_TARGET = (60000 * 0.025 + 4200 - 250) * 125  # 681,250


def number(rng: random.Random) -> float | int:
    """A finite number: mostly ordinary, sometimes one that tends to break things."""
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(SPECIAL_NUMBERS)
    if roll < 0.35:
        return rng.randint(-5, 5000)
    return rng.uniform(0.1, 3.0) * rng.choice((1, 10, 1000))


def _numbers(rng: random.Random, labels: list[str]) -> Any:
    """A number for every period, or a mapping of some periods (in any order) to numbers."""
    if labels and rng.random() < 0.6:
        chosen = rng.sample(labels, rng.randint(1, len(labels)))
        return {label: number(rng) for label in chosen}
    return number(rng)


def formula(terms: list[str], rng: random.Random) -> str:
    """A formula using every one of ``terms`` (metric ids), of a random kind."""
    if len(terms) == 1:
        return rng.choice([f"2 * {terms[0]}", f"-{terms[0]}", f"abs({terms[0]})", terms[0],
                           f"{terms[0]} ** 2", f"{terms[0]} / 4"])
    kind = rng.choice(("sum", "product", "ratio", "formula", "formula"))
    if kind == "sum":
        text = terms[0]
        for term in terms[1:]:
            text += f" {rng.choice('+-')} {term}"
        return text
    if kind == "product":
        return " * ".join(terms)
    if kind == "ratio":
        cut = rng.randint(1, len(terms) - 1)
        return f"{' * '.join(terms[:cut])} / ({' * '.join(terms[cut:])})"
    parts = list(terms)
    while len(parts) > 1:
        i = rng.randrange(len(parts) - 1)
        a, b = parts[i], parts[i + 1]
        forms = [f"({a}) + ({b})", f"({a}) - ({b})", f"({a}) * ({b})", f"({a}) / ({b})",
                 f"min({a}, {b})", f"max({a}, {b}, 0)", f"abs({a}) + ({b})",
                 f"({a}) ** 2 - ({b})", f"({a}) * (1 - ({b}))", f"-({a}) + 3 * ({b})"]
        if len(a) + len(b) < 60:  # these repeat their operands: keep formulas small
            forms += [f"({a}) if ({a}) > ({b}) else ({b})",
                      f"({a}) if ({a}) >= 0 and not ({b}) < 0 or ({b}) == 1 else -({b})"]
        parts[i:i + 2] = [rng.choice(forms)]
    text = parts[0]
    try:
        from kpitree_widget.formula import parse

        parse(text)
    except ValueError:  # over the parser's size caps: a plain sum instead
        text = " + ".join(terms)
    return text


def make_spec(n_metrics: int = 8, seed: int = 0, *, periods: bool | None = None,
              scenarios: bool = True, hypotheses: bool = True, extras: bool = True
              ) -> dict[str, Any]:
    """A valid tree spec with ``n_metrics`` metrics (at least 2); ``m0`` is the root.

    ``periods``: True for per-period numbers, False for scalars only, None to let the seed
    decide (monthly labels or free labels such as ``launch``). ``extras`` adds names, units,
    owners, tags, explicit targets on computed metrics, a tolerance and other optional fields.
    """
    if n_metrics < 2:
        raise ValueError("a generated tree has at least 2 metrics")
    rng = random.Random(seed)
    ids = [f"m{i}" if i == 0 or rng.random() < 0.5 else f"{rng.choice(WORDS)}_{i}"
           for i in range(n_metrics)]
    # the last metric may hang on the tree through a hypothesis only
    loose = hypotheses and n_metrics >= 4 and rng.random() < 0.5
    linked = n_metrics - 1 if loose else n_metrics
    children: dict[int, list[int]] = {i: [] for i in range(n_metrics)}
    for j in range(1, linked):
        children[rng.randrange(0, j)].append(j)
    for i in range(linked):  # some metrics feed a second parent: a DAG
        if children[i] and rng.random() < 0.3:
            extra = [k for k in range(i + 1, linked) if k not in children[i]]
            if extra:
                children[i].insert(rng.randrange(len(children[i]) + 1), rng.choice(extra))
    if periods is None:
        periods = rng.random() < 0.6
    labels: list[str] = []
    if periods:
        pool = MONTHLY if rng.random() < 0.6 else FREE_LABELS
        labels = rng.sample(pool, rng.randint(1, len(pool)))

    metrics: dict[str, dict[str, Any]] = {}
    inputs: list[str] = []
    for i, metric_id in enumerate(ids):
        spec: dict[str, Any] = {}
        if children[i]:
            spec["formula"] = formula([ids[k] for k in children[i]], rng)
            if extras and rng.random() < 0.2:
                spec["target"] = _numbers(rng, labels)
        else:
            inputs.append(metric_id)
            if rng.random() < 0.9:
                spec["value"] = _numbers(rng, labels)
            if rng.random() < 0.9:
                spec["target"] = _numbers(rng, labels)
        if extras:
            _decorate(spec, rng)
        metrics[metric_id] = spec
    order = list(metrics)
    rng.shuffle(order)  # a file may list metrics in any order
    out: dict[str, Any] = {"metrics": {m: metrics[m] for m in order}}
    if rng.random() < 0.5:
        out["root"] = ids[0]
    if extras and rng.random() < 0.5:
        out["name"] = rng.choice(TEXTS)
    if extras and rng.random() < 0.3:
        out["description"] = rng.choice(TEXTS)
    if extras and rng.random() < 0.3:
        out["config"] = {"tolerance": rng.choice((0, 0.02, 0.1, 0.25))}

    links: list[dict[str, Any]] = []
    if loose:
        links.append({"from": ids[-1], "to": ids[rng.randrange(0, linked)], "sign": "+"})
    if hypotheses and n_metrics >= 3:
        for _ in range(rng.randint(0, 2)):
            driver, outcome = rng.sample(ids[1:], 2)  # the root drives nothing
            links.append({"from": driver, "to": outcome, "sign": rng.choice(SIGNS)})
    for link in links:
        if rng.random() < 0.5:
            link["note"] = rng.choice(TEXTS)
    if links:
        out["hypotheses"] = links
    if scenarios and inputs:
        named: dict[str, dict[str, Any]] = {}
        for name in rng.sample(SCENARIOS, rng.randint(0, 2)):
            chosen = rng.sample(inputs, rng.randint(1, len(inputs)))
            named[name] = {m: _numbers(rng, labels) for m in chosen}
        if named:
            out["scenarios"] = named
    return out


def _decorate(spec: dict[str, Any], rng: random.Random) -> None:
    """Optional metric fields, each present about half the time."""
    options: dict[str, Any] = {
        "name": lambda: rng.choice(TEXTS),
        "unit": lambda: rng.choice(UNITS),
        "direction": lambda: rng.choice(("up", "down")),
        "owner": lambda: rng.choice(TEXTS),
        "team": lambda: rng.choice(("Growth", "Sales", "Ops")),
        "cadence": lambda: rng.choice(("daily", "weekly", "monthly", "quarterly", "annual")),
        "lag_days": lambda: rng.choice((0, 7, 2.5, 30)),
        "kind": lambda: rng.choice(("input", "output", "guard")),
        "description": lambda: rng.choice(TEXTS),
        "tags": lambda: rng.sample(("quality", "unit_economics", "north_star", "lagging"),
                                   rng.randint(0, 2)),
        "aggregation": lambda: rng.choice(("sum", "mean", "last")),
    }
    for field, make in options.items():
        if rng.random() < 0.4:
            value = make()
            if value is not None:
                spec[field] = value


def make_tree(n_metrics: int = 8, seed: int = 0, **options: Any) -> Any:
    """A :class:`~kpitree_widget.KPITree` built from :func:`make_spec`."""
    import kpitree_widget as kt

    return kt.KPITree.from_dict(make_spec(n_metrics, seed, **options))
