"""Live data: the sources a tree declares, compiled to safe grouped queries, run by an engine
(DuckDB embedded by default), loaded into the tree all or nothing.

- :mod:`.spec`: a declared source resolved for connecting (``${VAR}`` from the environment,
  files relative to the tree file) and the secrets to keep out of every message.
- :mod:`.sql`: queries parsed with sqlglot and refused unless read-only; declarative sources
  compiled into one grouped query per table and grain.
- :mod:`.engines`: the engine interface and the registry of engines by URL scheme.
- :mod:`.refresh`: ``refresh(tree, ...)``, the report, and ``data_gaps(tree)``.
"""
