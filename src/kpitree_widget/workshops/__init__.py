"""Workshop notebooks: one nbformat notebook per business-model archetype, for teachers
running KPI-tree workshops.

The notebook's skeleton is code (:mod:`.builder`); what differs by archetype is data, one YAML
file per archetype in ``workshops/content/``, validated against a declared schema
(:mod:`.schema`, exported by :func:`json_schema`) when it is read (:mod:`.loader`).

>>> from kpitree_widget import workshops
>>> "b2b_saas" in workshops.workshops()
True
>>> workshops.content("b2b_saas").what_if.metric
'gross_retention'
>>> nb = workshops.template("b2b_saas")  # doctest: +SKIP
"""

from __future__ import annotations

from .builder import template, workshops
from .loader import content, load_file, parse
from .schema import CRITERIA, Workshop, json_schema

__all__ = ["CRITERIA", "Workshop", "content", "json_schema", "load_file", "parse", "template",
           "workshops"]
