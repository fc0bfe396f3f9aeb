"""Descriptions in dataset lists: the portal's faster extract gives CKAN's own text, in French,
Arabic and Markdown, however often and in whatever order lists ask for it."""

import pytest
from ckan.lib import helpers as core

from ckanext.datagovma.speedups import markdown_extract

TEXTS = [
    "",
    "Résultats du **recensement** général de la population 2024.",
    "نتائج **الإحصاء العام** للسكان والسكنى 2024، حسب الجهة والإقليم.",
    "Voir [le site du HCP](https://www.hcp.ma) et <b>les notes</b> &amp; annexes.\n\n* un\n* deux",
    "Tableau\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n" + "Des données ouvertes. " * 40,
    "Référence [1].\n\n[1]: https://www.hcp.ma/\n\n<script>alert('x')</script>",
    "Une très longue description, **non gardée** en mémoire. " * 400,  # over 16,000 characters
]


@pytest.mark.parametrize("extract_length", [180, 190, 0, 20])
def test_extracts_are_cores_whatever_the_order(extract_length):
    for text in TEXTS + TEXTS[::-1] + [TEXTS[1], TEXTS[1]]:
        assert markdown_extract(text, extract_length=extract_length) == core.markdown_extract(
            text, extract_length=extract_length)


LINKABLE = [
    "Source : https://www.hcp.ma/Population_r1.html", "Voir www.hcp.ma.", "Écrire à stat@hcp.ma",
    "mailto:contact@sante.gov.ma", "Portail finances.gov (archives)", "(HTTPS://DATA.GOV.MA/fr)",
    "Serveur http://10.0.0.1:8080/api", "Voir exemple.org, puis exemple.info", "موقع www.hcp.ma للإحصاء",
]
PLAIN = ["", "Résultats du recensement 2024 : 36,8 millions d'habitants.", "نتائج الإحصاء العام للسكان والسكنى 2024.",
         "Tableau 1.2 ; taux de 3.5 % ; version 2.0.", "Données ODbL, mises à jour chaque année."]


def test_descriptions_are_linked_exactly_when_urlize_would_link_them():
    from jinja2.utils import urlize
    from markupsafe import escape

    from ckanext.datagovma.helpers import datagovma_may_link

    for text in LINKABLE + PLAIN + TEXTS:
        if urlize(text) != str(escape(text)):
            assert datagovma_may_link(text), text
    assert all(datagovma_may_link(text) for text in LINKABLE)
    assert not any(datagovma_may_link(text) for text in PLAIN)
