"""Multilingual values ({"fr": ..., "ar": ..., "zgh": ...}) and the portal's languages: the one
place that says which languages a text may be in, in which order they stand in for one another,
and how a value is read, for the validators, the templates, the portal's pages and the DCAT
profile alike."""

import json

import ckan.plugins.toolkit as tk

# The languages a multilingual field holds (French, Arabic, Tamazight).
LANGUAGES = ("fr", "ar", "zgh")
# The order in which they stand in for a missing one; English is read from harvested sources.
READING_ORDER = ("fr", "ar", "zgh", "en")
RIGHT_TO_LEFT = ("ar",)


def parse(value):
    """A dict, its stored JSON, or a plain string (read as French) -> dict; {} when empty;
    None when the value is JSON-looking but not a JSON object."""
    if isinstance(value, dict):
        return value
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        if not value.strip().startswith("{"):
            return {"fr": value}
        try:
            loaded = json.loads(value)
        except ValueError:
            return None
        return loaded if isinstance(loaded, dict) else None
    return None


def as_dict(value):
    """A multilingual value as a dict ({} when it cannot be read)."""
    return parse(value) or {}


def first_text(values, order=READING_ORDER):
    """The first language of ``order`` with a text in ``values`` (a dict): (lang, text), or
    (None, None)."""
    for lang in order:
        text = values.get(lang)
        if isinstance(text, str) and text.strip():
            return lang, text
    return None, None


def direction(lang):
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


def reader_language():
    """The language of the page being built ("fr", "ar" or "en")."""
    return (tk.h.lang() or "fr").split("_")[0]


def in_reader_language(value, fallback=""):
    """A multilingual value (a dict or its JSON) as shown to the reader: {"text", "lang", "dir",
    "other"}: the reader's language if it has a text, else French, Arabic, Tamazight or English
    (``other`` true: the page marks it); ``fallback`` (lang None) when the value has no text at
    all. ``lang`` and ``dir`` go on the element that holds the text, so that screen readers speak
    it in its language (WCAG 3.1.2)."""
    reader = reader_language()
    lang, text = first_text(as_dict(value), (reader,) + READING_ORDER)
    if lang is None:
        return {"text": fallback or "", "lang": None, "dir": None, "other": False}
    return {"text": text, "lang": lang, "dir": direction(lang), "other": lang != reader}


def translated(value, fallback=""):
    """The text of a multilingual value in the reader's language, else French, else Arabic, else
    any; a plain string is itself."""
    parsed = parse(value)
    if parsed is None:
        return value if isinstance(value, str) else fallback
    shown = in_reader_language(parsed)
    if shown["lang"]:
        return shown["text"]
    # only languages the portal does not offer, or none with a text
    return next((text for text in parsed.values() if isinstance(text, str) and text.strip()), fallback)
