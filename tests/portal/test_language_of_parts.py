"""Dataset titles and descriptions in lists (home, search, producer pages) carry their language and
direction when they are not the page's (WCAG 3.1.2, language of parts): a French-only title on an
Arabic page is marked lang="fr" dir="ltr" and an Arabic-only one on a French page lang="ar"
dir="rtl", so that screen readers speak each in its language and punctuation keeps its place."""

import re

import pytest

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import publish

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]

FRENCH = "Débarquements de la pêche côtière (I1993)"
ARABIC = "إنتاج الحبوب"


@pytest.fixture
def datasets(portal):
    publish(portal, name="peche", title_translated={"fr": FRENCH}, notes_translated={"fr": "Série « pêche » (%)."})
    publish(portal, name="cereales", title_translated={"ar": ARABIC}, notes_translated={"ar": "سلسلة الحبوب."})
    publish(portal, name="bilingue")  # French and Arabic


def link(body, name):
    """The opening tag of the first link to the dataset ``name``."""
    found = re.search(rf'<a href="(?:/ar)?/dataset/{name}"[^>]*>', body)
    assert found, name
    return found.group(0)


@pytest.mark.parametrize("url", ["/dataset/", "/organization/haut-commissariat-au-plan", "/"])
def test_titles_in_lists_carry_their_language_when_it_is_not_the_pages(app, datasets, url):
    french_page, arabic_page = app.get(url).body, app.get("/ar" + url).body
    assert link(french_page, "peche") == '<a href="/dataset/peche">'
    assert link(french_page, "cereales") == '<a href="/dataset/cereales" lang="ar" dir="rtl">'
    assert link(arabic_page, "peche") == '<a href="/ar/dataset/peche" lang="fr" dir="ltr">'
    assert link(arabic_page, "cereales") == '<a href="/ar/dataset/cereales">'
    assert link(arabic_page, "bilingue") == '<a href="/ar/dataset/bilingue">'


def test_descriptions_in_search_results_carry_their_language(app, datasets):
    assert '<div lang="fr" dir="ltr">Série « pêche » (%).</div>' in app.get("/ar/dataset/").body
    assert '<div>Série « pêche » (%).</div>' in app.get("/dataset/").body
    assert '<div lang="ar" dir="rtl">سلسلة الحبوب.</div>' in app.get("/dataset/").body


@pytest.mark.parametrize("shown, attributes", [
    ({"text": "Bonjour", "lang": "fr", "dir": "ltr", "other": True}, ' lang="fr" dir="ltr"'),
    ({"text": "Bonjour", "lang": "fr", "dir": "ltr", "other": False}, ""),
    ({"text": "sans langue", "lang": None, "dir": None, "other": False}, ' dir="auto"'),
])
def test_language_attributes(shown, attributes):
    from ckanext.datagovma.helpers import datagovma_language_attributes

    assert str(datagovma_language_attributes(shown)) == attributes
