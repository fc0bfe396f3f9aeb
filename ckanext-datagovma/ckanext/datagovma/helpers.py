"""Template helpers: text in the reader's language, and the reference lists of the forms."""

import re

import ckan.plugins.toolkit as tk
import jinja2
import markupsafe
from flask import current_app, g, has_request_context, request

from . import multilingual, portal, reference

__all__ = [
    "datagovma_key_figures",
    "datagovma_producer",
    "datagovma_producer_title",
    "datagovma_language_links",
    "datagovma_theme_name",
    "datagovma_place_name",
    "datagovma_regions",
    "datagovma_search_subject",
    "datagovma_recent_datasets",
    "datagovma_translated",
    "datagovma_translated_dict",
    "datagovma_has_value",
    "datagovma_in_reader_language",
    "datagovma_language_attributes",
    "datagovma_reference_options",
    "datagovma_licence_ids",
    "datagovma_reader_language",
    "datagovma_may_link",
    "datagovma_current_page_url",
    "datagovma_rendered_once",
    "datagovma_dataset_url",
]
# what jinja2's urlize can turn into a link: a scheme, "www.", an e-mail or "mailto:", or a bare
# domain of the generic top-level domains it knows (jinja2.utils._http_re)
_MAY_LINK = re.compile(r"://|www\.|@|\.(?:com|net|int|edu|gov|org|info|mil)\b", re.IGNORECASE)


def datagovma_may_link(text):
    """Whether ``urlize`` could find an address in ``text``: it reads every word, a millisecond
    for a list of 20 descriptions that almost never hold one."""
    return bool(text) and _MAY_LINK.search(str(text)) is not None


def datagovma_current_page_url(extras=None):
    """The address core's ``add_url_param`` and ``remove_url_param`` start from when given no
    ``alternative_url`` (ckan.lib.helpers._create_url_with_params): this page's view, with
    ``extras`` or the page's own arguments. They compute it with url_for for each link; a facet
    list computes it once and passes it to them as ``alternative_url``."""
    if not extras:
        extras = dict(request.view_args or {})
    blueprint, view = tk.get_endpoint()
    endpoint = getattr(g, "controller", blueprint) + "." + getattr(g, "action", view)
    return tk.h.url_for(endpoint, **extras)


_NAME_PLACEHOLDER = "datagovma-dataset-name"


def datagovma_dataset_url(dataset):
    """The address of a dataset's page, ``h.url_for("<type>.read", id=<name>)``, built once per page
    and dataset type and completed with each name, quoted as Werkzeug quotes a path segment: a list
    of 20 datasets built 20 addresses from scratch."""
    endpoint = f"{dataset.get('type') or 'dataset'}.read"
    if not has_request_context():
        return tk.h.url_for(endpoint, id=dataset["name"])
    patterns = g.setdefault("_datagovma_dataset_urls", {})
    if endpoint not in patterns:
        converter = current_app.url_map.converters["default"](current_app.url_map)
        patterns[endpoint] = (tk.h.url_for(endpoint, id=_NAME_PLACEHOLDER), converter)
    pattern, converter = patterns[endpoint]
    return pattern.replace(_NAME_PLACEHOLDER, converter.to_url(dataset["name"]))


@jinja2.pass_context
def datagovma_rendered_once(context, block):
    """A template block rendered once per page however often the page asks for it: core's
    page.html renders its sidebar (``secondary``) a first time to test whether it is empty, then
    again to print it, so facets, the producer card and what they look up were built twice."""
    rendered = g.setdefault("_datagovma_rendered_blocks", {})
    key = (id(context), block.name)
    if key not in rendered:
        rendered[key] = (context, block())  # the context is kept so that its id is not reused
    return rendered[key][1]


def datagovma_reader_language():
    return multilingual.reader_language()


def datagovma_translated(value, fallback=""):
    """The text of a multilingual value ({"fr": ..., "ar": ...} or its JSON) in the reader's
    language, else French, else Arabic, else any."""
    return multilingual.translated(value, fallback)


def datagovma_in_reader_language(value, fallback=""):
    """A multilingual value as shown to the reader: {"text", "lang", "dir", "other"}
    (multilingual.in_reader_language)."""
    return multilingual.in_reader_language(value, fallback)


def datagovma_language_attributes(shown):
    """The attributes of an element that holds a text of ``datagovma_in_reader_language`` in a
    list: its language and direction when they are not the page's (WCAG 3.1.2: a French title on
    an Arabic page is spoken in French), the browser's guess (dir="auto") when unknown."""
    if shown["other"]:
        return markupsafe.Markup(' lang="{}" dir="{}"').format(shown["lang"], shown["dir"])
    if not shown["lang"]:
        return markupsafe.Markup(' dir="auto"')
    return ""


def datagovma_has_value(value):
    """Whether a field's value shows anything: not None, an empty text, list or dict, nor a
    multilingual value whose languages are all empty."""
    if isinstance(value, dict):
        return any(datagovma_has_value(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(datagovma_has_value(v) for v in value)
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def datagovma_translated_dict(value):
    """A multilingual value as a dict, whether given as a dict or as its stored JSON."""
    return multilingual.as_dict(value)


def datagovma_reference_options(field):
    """scheming choices_helper: the options of a reference list in the reader's language."""
    label_key = "name_ar" if multilingual.reader_language() == "ar" else "name_fr"
    kind = field.get("reference")
    if kind == "themes":
        rows = reference.themes()
    elif kind == "regions":
        rows = reference.regions()
    elif kind == "provinces":
        rows = reference.provinces()
    else:
        return []
    return [{"value": code, "label": row.get(label_key) or row["name_fr"]} for code, row in rows.items()]


def datagovma_licence_ids():
    """The open licences the dataset schema offers (its license_id choices)."""
    return [choice["value"] for choice in portal.choices("license_id")]


def datagovma_producer(org_id):
    """The producer of a dataset for its card: the organization without its dataset count, users
    or followers (core's card asked for them all: a search and two queries per dataset page, for
    figures the card does not show)."""
    try:
        return tk.get_action("organization_show")({}, {
            "id": org_id, "include_dataset_count": False, "include_users": False, "include_followers": False,
            "include_groups": False, "include_tags": False, "include_extras": True})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return {}


def datagovma_producer_title(name):
    """A producer's title in the reader's language (else French, else Arabic), from its name: a
    dataset's ``organization`` carries no translations of its title."""
    return portal.producer_name(name)


def datagovma_search_subject(fields_grouped):
    """What a search filtered on one place or one theme is the page of (the region and province
    pages, /region/<code> and /province/<code>, and the theme pages): {"kind", "field" (the
    search parameter), "code", "names"
    ({"fr", "ar"}), "name" (in the reader's language, else French), "shown" (its
    datagovma_in_reader_language)}, or None. A province goes before its region
    when both are asked; an unknown code is no subject (the search is then a plain filtered one)."""
    fields_grouped = fields_grouped or {}
    for field, kind, rows in (("provinces", "province", reference.provinces),
                              ("regions", "region", reference.regions),
                              ("themes", "theme", reference.themes)):
        values = fields_grouped.get(field) or []
        if len(values) == 1 and values[0] in rows():
            row = rows()[values[0]]
            names = {"fr": row["name_fr"], "ar": row.get("name_ar") or ""}
            shown = datagovma_in_reader_language(names, values[0])
            return {"kind": kind, "field": field, "code": values[0], "names": names, "name": shown["text"],
                    "shown": shown}
    return None


def datagovma_key_figures():
    return portal.key_figures()


def datagovma_language_links():
    return portal.language_links()


def datagovma_theme_name(slug):
    return portal.theme_name(slug)


def datagovma_place_name(code):
    return portal.place_name(code)


def datagovma_regions():
    """[(code, name in the reader's language)] of the 12 regions."""
    return [(code, portal.place_name(code)) for code in reference.regions()]


def datagovma_recent_datasets(sort="metadata_modified desc", rows=5):
    return tk.get_action("package_search")({}, {"sort": sort, "rows": rows})["results"]
