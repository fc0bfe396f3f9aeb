"""In a real browser: a text marked with another language than the page's is laid out in its own
direction. CKAN's main-rtl.css sets direction: rtl on every a, p and h1, which outranks the dir
attribute: a French description on an Arabic page ended ".(… de dhs" (portal.css restores it)."""

import os

import pytest

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import publish
from .conftest import ARTIFACTS, Visitor

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]

DIRECTIONS = """(selector) => Array.from(document.querySelectorAll(selector), e => getComputedStyle(e).direction)"""


def test_texts_in_the_other_language_keep_their_direction(browser, live_server, portal):
    publish(portal, name="densite-medicale", title_translated={"fr": "Densité médicale (I1005)"},
            notes_translated={"fr": "Série « Densité médicale » (48 périodes, En millions de dhs)."})
    publish(portal, name="cereales", title_translated={"ar": "إنتاج الحبوب"}, notes_translated={"ar": "سلسلة (2024)."})
    visitor = Visitor(browser, live_server, "parts", os.path.join(ARTIFACTS, "language-of-parts"))
    page = visitor.page

    page.goto("/ar/dataset/densite-medicale")
    visitor.shot("dataset-ar")
    assert page.evaluate(DIRECTIONS, "html") == ["rtl"]
    assert page.evaluate(DIRECTIONS, ".notes[lang=fr], .notes[lang=fr] p") == ["ltr", "ltr"]
    assert page.evaluate(DIRECTIONS, "h1 [lang=fr]") == ["ltr"]
    assert page.evaluate(DIRECTIONS, ".datagovma-other-language") == ["rtl"] * 2  # the marks are Arabic

    page.goto("/ar/dataset/")
    visitor.shot("search-ar")
    assert page.evaluate(DIRECTIONS, ".dataset-heading a[lang=fr], .dataset-content div[lang=fr]") == ["ltr", "ltr"]
    assert page.evaluate(DIRECTIONS, ".dataset-heading a:not([lang])") == ["rtl"]

    page.goto("/dataset/")
    assert page.evaluate(DIRECTIONS, ".dataset-heading a[lang=ar], .dataset-content div[lang=ar]") == ["rtl", "rtl"]
    assert page.evaluate(DIRECTIONS, ".dataset-heading a:not([lang])") == ["ltr"]
    visitor.assert_clean()
    visitor.close()
