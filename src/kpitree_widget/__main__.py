"""``python -m kpitree_widget``: the command line (``kpitree``)."""

from .cli import main

raise SystemExit(main())
