"""docs/bad-input.md: its promises are linked from the index and its example messages are the
package's real messages (each Python block runs as a doctest)."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def test_the_bad_input_page_is_linked_from_the_index():
    assert "(bad-input.md)" in (DOCS / "index.md").read_text(encoding="utf-8")


def test_the_example_messages_are_what_the_package_says():
    page = (DOCS / "bad-input.md").read_text(encoding="utf-8")
    blocks = BLOCK.findall(page)
    assert len(blocks) >= 6
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, "bad-input.md",
                                               str(DOCS / "bad-input.md"), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted >= 9 and result.failed == 0
