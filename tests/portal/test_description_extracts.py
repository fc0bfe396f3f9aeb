"""Descriptions in dataset lists: the portal's faster extract gives CKAN's own text, in French,
Arabic and Markdown, however often and in whatever order lists ask for it."""

import pytest
from ckan.lib import helpers as core

from ckanext.datagovma.helpers import markdown_extract

TEXTS = [
    "",
    "Résultats du **recensement** général de la population 2024.",
    "نتائج **الإحصاء العام** للسكان والسكنى 2024، حسب الجهة والإقليم.",
    "Voir [le site du HCP](https://www.hcp.ma) et <b>les notes</b> &amp; annexes.\n\n* un\n* deux",
    "Tableau\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n" + "Des données ouvertes. " * 40,
    "Référence [1].\n\n[1]: https://www.hcp.ma/\n\n<script>alert('x')</script>",
]


@pytest.mark.parametrize("extract_length", [180, 190, 0, 20])
def test_extracts_are_cores_whatever_the_order(extract_length):
    for text in TEXTS + TEXTS[::-1] + [TEXTS[1], TEXTS[1]]:
        assert markdown_extract(text, extract_length=extract_length) == core.markdown_extract(
            text, extract_length=extract_length)
