"""Exports of a tree: graphviz pictures, Markdown and Mermaid text, notebooks, workbooks.

Each exporter is reached from :class:`~kpitree_widget.KPITree` (``tree.to_graphviz()``,
``tree.to_markdown()``, ``tree.to_mermaid()``, ``tree.to_notebook()``, ``tree.to_excel()``)
and imports its heavy dependencies (graphviz, nbformat, openpyxl) only when called.
"""
