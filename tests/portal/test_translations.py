"""Every string our templates add is in the French and the Arabic catalogues (compiled by make)."""

import glob
import os
import re

import pytest
from babel.messages.pofile import read_po

EXTENSION = os.path.join(os.path.dirname(__file__), "..", "..", "ckanext-datagovma", "ckanext", "datagovma")
STRING = re.compile(r"""\b_\(\s*(?P<q>['"])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*\)""")


def template_strings():
    found = {}
    for path in glob.glob(os.path.join(EXTENSION, "templates", "**", "*.html"), recursive=True):
        with open(path, encoding="utf-8") as handle:
            for match in STRING.finditer(handle.read()):
                text = match["text"].replace("\\'", "'").replace('\\"', '"')
                found.setdefault(text, os.path.relpath(path, EXTENSION))
    return found


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_every_template_string_is_translated(lang):
    with open(os.path.join(EXTENSION, "i18n", lang, "LC_MESSAGES", "ckanext-datagovma.po"), "rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id for m in catalogue if m.id and m.string}
    core = set()
    core_po = os.path.join(os.path.dirname(__import__("ckan").__file__), "i18n", lang, "LC_MESSAGES", "ckan.po")
    with open(core_po, "rb") as handle:  # CKAN's own catalogue serves core strings
        core = {m.id for m in read_po(handle) if m.id and m.string}
    strings = template_strings()
    assert len(strings) > 40  # the extractor reads them all
    missing = {text: where for text, where in strings.items() if text not in translated and text not in core}
    assert missing == {}, missing


@pytest.mark.parametrize("value, shown", [
    ({"fr": "Bonjour", "ar": "مرحبا"}, {"fr": "Bonjour", "ar": "مرحبا"}),
    ({"fr": "Bonjour", "ar": "  "}, {"fr": "Bonjour", "ar": "Bonjour"}),  # blank is no text
    ({"ar": "مرحبا"}, {"fr": "مرحبا", "ar": "مرحبا"}),
    ('{"fr": "Bonjour", "ar": "مرحبا"}', {"fr": "Bonjour", "ar": "مرحبا"}),  # as stored
    ("texte simple", {"fr": "texte simple", "ar": "texte simple"}),  # read as French
    ("{pas du JSON", {"fr": "{pas du JSON", "ar": "{pas du JSON"}),  # shown as it is
    ({"es": "Hola"}, {"fr": "Hola", "ar": "Hola"}),  # a language the portal does not offer
    ({}, {"fr": "repli", "ar": "repli"}),
    ({"fr": " ", "ar": ""}, {"fr": "repli", "ar": "repli"}),
    (None, {"fr": "repli", "ar": "repli"}),
    (42, {"fr": "repli", "ar": "repli"}),
])
def test_a_multilingual_value_in_the_readers_language(app, value, shown):
    from ckanext.datagovma import helpers

    for lang in ("fr", "ar"):
        with app.flask_app.test_request_context(environ_overrides={"CKAN_LANG": lang, "CKAN_LANG_IS_DEFAULT": False}):
            assert helpers.datagovma_translated(value, "repli") == shown[lang], lang
