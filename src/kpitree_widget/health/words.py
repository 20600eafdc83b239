"""The words the rules look for in metric names, ids and owners.

Patterns are matched against a metric's "text": its name and its id (underscores read as spaces),
lower-cased. Every text is first cut to its first ``MATCHED`` characters and its blanks folded to
single spaces, and no pattern nests or overlaps its quantifiers, so a check takes time linear in
the text however hostile it is:

>>> bounded("  Head   of\tSales  ")
'Head of Sales'

Rates and ratios are exempt from the vanity and activity patterns: "download-to-
signup rate" measures conversion, not volume.
"""

from __future__ import annotations

import functools
import re

from ..metric import Metric

MATCHED = 1000
"""How many characters of a name, id or owner the patterns read (longer texts are cut)."""


def bounded(text: str) -> str:
    """``text`` cut to ``MATCHED`` characters, with every run of blanks read as one space."""
    return " ".join(text[:MATCHED].split())


def text_of(metric: Metric) -> str:
    """Name and id in lower case, with ``_``, ``-`` and ``/`` read as spaces."""
    return _text(metric.name, metric.id)


@functools.lru_cache(maxsize=4096)  # several rules read it per metric, on every check
def _text(name: str, metric_id: str) -> str:
    raw = f"{bounded(name)} {bounded(metric_id)}".lower()
    return " ".join(re.sub(r"[_\-/]", " ", raw).split())


def tagged(metric: Metric, *tags: str) -> bool:
    """Whether one of the metric's tags is one of ``tags`` (``-``, ``_`` and spaces alike)."""
    norm = {re.sub(r"[\s\-]", "_", t.lower()) for t in metric.tags}
    return any(t in norm for t in tags)


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


IS_RATE = _any(r"\brate\b", r"\bratio\b", r"\bconversion\b", r"\bper\b", r"%", r"\bshare\b",
               r"\bctr\b", r"\bcost\b", r"\bcpm\b", r"\bcpc\b", r"\bcpa\b", r"\bpercent",
               r"\bto (?:signup|sign up|trial|paid|lead|install|purchase)\b")

VANITY = _any(r"\bpage ?views?\b", r"\bpageviews?\b", r"\b(?:app )?downloads?\b",
              r"\bfollowers?\b", r"\blikes\b", r"\bpress (?:mentions?|coverage|hits|articles)\b",
              r"\bmedia mentions?\b", r"\bblog (?:subscribers?|readers?|visits?)\b",
              r"\bimpressions?\b", r"\bsocial (?:shares|mentions)\b")

ACTIVITY = _any(r"(?<!api )\bcalls?\b", r"\bdials?\b", r"\be ?mails?\b", r"\bdemos?\b",
                r"\bmeetings?\b", r"\boutbound touches\b", r"\btouch ?points?\b",
                r"\bproposals? sent\b", r"\bcheck ins?\b")

UNIT_ECONOMICS = _any(r"\bcac\b", r"\bacquisition cost", r"\bcost per\b", r"\bcost to serve\b",
                      r"\bunit cost", r"\bltv\b", r"\bclv\b", r"\blifetime value\b",
                      r"\bmargin\b", r"\bpayback\b", r"\bunit economics\b", r"\broas\b",
                      r"\breturn on ad spend\b", r"\bcpa\b", r"\btake rate\b")

QUALITY = _any(r"\bnps\b", r"\bnet promoter", r"\bcsat\b", r"\bsatisfaction\b",
               r"\bcustomer effort\b", r"\bces\b", r"\bsupport (?:volume|tickets?|contacts?|"
               r"cases?|requests?)\b", r"\btickets?\b", r"\bcomplaints?\b", r"\bdefects?\b",
               r"\bbugs?\b", r"\bquality\b", r"\bdisputes?\b", r"\brefunds?\b",
               r"\bproduct returns?\b",
               r"\brating\b", r"\breview score\b", r"\bincidents?\b", r"\buptime\b",
               r"\berror rate\b", r"\bfirst contact resolution\b", r"\breadmission")

_LTV = re.compile(r"\bltv\b")
_CAC = re.compile(r"\bcac\b")
_EFFICIENCY = _any(r"\bltv ?cac\b", r"(?<!liquidity )\bratio\b", r"\broi\b", r"\broas\b",
                   r"\bmargin\b", r"\befficiency\b", r"\bpayback\b", r"\breturn on\b",
                   r"\bmagic number\b", r"\bburn multiple\b", r"\brule of 40\b")


def is_efficiency(text: str) -> bool:
    """A text that names an efficiency ratio: "LTV to CAC", "ROI", "gross margin"."""
    return bool(_EFFICIENCY.search(text) or (_LTV.search(text) and _CAC.search(text)))

# A root named like a formula: "Growth x engagement", "Users × ARPU", "Reach and frequency"
COMPOSITE_NAME = re.compile(r" [x×*+&] |×|\*| (?:and|times|plus) ", re.IGNORECASE)
COMPOSITE_ID = re.compile(r"_(?:x|and|times|plus)_")

# Owners
# matched on bounded() text, where blanks come one at a time
JOINT_SPLIT = re.compile(r" and | ?\+ ?| ?/ ?| & | ?, ?| with ", re.IGNORECASE)
JOINT_WORDS = re.compile(r"\bjoint(?:ly)?\b|\bshared\b|\bco-?owned\b|\bboth\b|\btogether\b",
                         re.IGNORECASE)
TITLE_WORDS = re.compile(
    r"\b(?:vp|svp|evp|avp|head|director|manager|mgr|lead|chief|officer|ceo|cfo|coo|cto|cmo|"
    r"cro|cpo|cco|cio|ciso|chro|pm|owner|analyst|president|founder|specialist|coordinator|"
    r"rep|partner|architect|engineer|scientist|strategist|controller|gm|principal|editor|"
    r"producer|captain|steward|champion|administrator|admin|associate|executive director|"
    r"account executive)\b", re.IGNORECASE)
TEAM_NAMES = frozenset({
    "marketing", "sales", "finance", "product", "engineering", "support", "operations", "ops",
    "growth", "hr", "people", "legal", "data", "analytics", "it", "design", "partnerships",
    "revops", "procurement", "security", "compliance", "brand", "content", "seo", "research",
    "r&d", "qa", "devops", "infrastructure", "platform", "community", "communications", "comms",
    "pr", "merchandising", "logistics", "fulfilment", "fulfillment", "supply", "demand", "risk",
    "underwriting", "clinical", "care", "nursing", "medical", "executive", "leadership",
    "management", "board", "exec", "customer success", "cs", "customer support",
    "customer service", "customer experience", "cx", "sales development", "product marketing",
    "account management", "professional services", "revenue operations", "sales operations",
    "marketing operations", "business development", "bd", "demand generation", "demand gen",
    "growth marketing", "product management", "trust and safety", "trust & safety",
    "data science", "user research", "team", "everyone", "all", "company", "exec team",
    "leadership team", "management team",
})


_TEAM_WORD_AT_END = re.compile(r"\b(?:team|department|dept|org|organisation|organization|group|"
                               r"squad|function|unit)$")


def is_team_name(owner: str, team: str | None = None) -> bool:
    """An owner that names a department or a team rather than a person or a role."""
    owner = bounded(owner)
    text = owner.lower().removeprefix("the ")
    if TITLE_WORDS.search(owner):
        return False
    if team and text == bounded(team).lower():
        return True
    if _TEAM_WORD_AT_END.search(text):
        return True
    return text in TEAM_NAMES


# titles one person often holds together: "Founder / CEO", "CEO & President"
ONE_PERSON = frozenset({"founder", "co-founder", "cofounder", "ceo", "president", "owner",
                        "chair", "chairman", "chairwoman", "md", "managing director", "gm",
                        "general manager"})


def joint_parts(owner: str) -> list[str] | None:
    """The owners named in a joint ownership (``"Marketing and Sales"`` -> two parts), or None
    for one owner. A title that spans departments (``"VP Sales and Marketing"``) is one owner."""
    owner = bounded(owner)
    if JOINT_WORDS.search(owner):
        parts = [p for p in JOINT_SPLIT.split(JOINT_WORDS.sub(" ", owner)) if p.strip()]
        return [p.strip() for p in parts] or [owner]
    parts = [p.strip() for p in JOINT_SPLIT.split(owner) if p.strip()]
    if len(parts) < 2 or all(p.lower() in ONE_PERSON for p in parts):
        return None
    first, rest = parts[0], parts[1:]
    spans = TITLE_WORDS.search(first) and all(
        not TITLE_WORDS.search(p) and len(p.split()) <= 3 for p in rest)
    return None if spans else parts
