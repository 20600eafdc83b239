"""One status palette for every picture: static view, exports and charts."""

from __future__ import annotations

import pytest

import kpitree_widget as kt
from kpitree_widget.engine import STATUS_LABELS
from kpitree_widget.export._common import STATUS_STYLE
from kpitree_widget.palette import STATUS_COLOURS, status_colours
from kpitree_widget.static_view import static_html


def luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_status_has_colours_and_readable_words() -> None:
    assert list(STATUS_COLOURS) == list(STATUS_LABELS)
    for colours in STATUS_COLOURS.values():
        assert contrast(colours.text, colours.fill) >= 4.5
        assert contrast(colours.text, "#FFFFFF") >= 4.5
        assert contrast(colours.strong, "#1E1E1E") >= 3  # marks show on dark pages too
    strongs = [c.strong for c in STATUS_COLOURS.values()]
    assert len(set(strongs)) == len(strongs)


def test_unknown_statuses_fall_back() -> None:
    assert status_colours("nonsense") == STATUS_COLOURS["undefined"]
    assert status_colours(None, default="missing") == STATUS_COLOURS["missing"]


def test_the_pictures_share_the_palette() -> None:
    for status, colours in STATUS_COLOURS.items():
        assert STATUS_STYLE[status]["border"] == colours.strong
        assert STATUS_STYLE[status]["fill"] == colours.fill
        assert STATUS_STYLE[status]["text"] == colours.text
    tree = kt.archetype("b2b_saas")
    html = static_html(tree)
    for status in set(tree.rollup()["status"]):
        colours = STATUS_COLOURS[status]
        assert f'fill="{colours.strong}"' in html and f'fill="{colours.fill}"' in html
        assert f'fill="{colours.text}"' in html


@pytest.mark.parametrize("status", list(STATUS_COLOURS))
def test_graphviz_cards_use_the_palette(status: str) -> None:
    legend = kt.archetype("b2b_saas").to_graphviz(legend=True).source
    colours = STATUS_COLOURS[status]
    assert f'BGCOLOR="{colours.fill}" COLOR="{colours.strong}"' in legend
