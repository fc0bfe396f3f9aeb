"""What the citizens' portal shows: facets and their labels in the reader's language, the key
figures of the home page, language links that keep the current page, and bad search
parameters turned into a normal page with a message."""

import time
from collections import OrderedDict

import ckan.plugins.toolkit as tk
from flask import request

from . import reference

LANGUAGE_NAMES = OrderedDict([("fr", "Français"), ("ar", "العربية"), ("en", "English")])
_FIGURES_CACHE = {"at": 0.0, "value": None}
_PRODUCERS_CACHE = {"at": 0.0, "value": None}
PRODUCERS_TTL = 300  # seconds: producers are renamed rarely; facets are shown on every search page
FIGURES_TTL = 60  # seconds: the home page is served often, the figures change slowly


def dataset_facets():
    """The search facets, in the order a visitor scans them."""
    return OrderedDict([
        ("themes", tk._("Themes")),
        ("organization", tk._("Producers")),
        ("regions", tk._("Regions")),
        ("res_format", tk._("Formats")),
        ("license_id", tk._("Licences")),
        ("frequency", tk._("Update frequency")),
        ("tags", tk._("Keywords")),
    ])


def _choice_labels(field_name):
    from ckanext.scheming.helpers import scheming_get_dataset_schema, scheming_language_text

    for field in (scheming_get_dataset_schema("dataset") or {}).get("dataset_fields", []):
        if field["field_name"] == field_name:
            return {c["value"]: scheming_language_text(c["label"]) for c in field.get("choices", [])}
    return {}


def place_name(code):
    lang = tk.h.datagovma_reader_language()
    row = reference.regions().get(code) or reference.provinces().get(code)
    if not row:
        return code
    return (row.get("name_ar") if lang == "ar" else None) or row["name_fr"]


def theme_name(slug):
    lang = tk.h.datagovma_reader_language()
    row = reference.themes().get(slug)
    if not row:
        return slug
    return row["name_ar"] if lang == "ar" else row["name_fr"]


def _titles(group):
    """A producer's {"fr": ..., "ar": ...} title (its CKAN title when it has no translations)."""
    return tk.h.datagovma_translated_dict(group.extras.get("title_translated")) or {"fr": group.title or group.name}


def _producer_titles():
    """{organization name: titles} of every producer, read once every few minutes."""
    now = time.time()
    if _PRODUCERS_CACHE["value"] is None or now - _PRODUCERS_CACHE["at"] > PRODUCERS_TTL:
        from ckan import model

        producers = model.Session.query(model.Group).filter(
            model.Group.is_organization.is_(True), model.Group.state == "active")
        _PRODUCERS_CACHE.update(at=now, value={group.name: _titles(group) for group in producers})
    return _PRODUCERS_CACHE["value"]


def producer_name(name):
    """A producer's name in the reader's language (else French, else Arabic)."""
    known = _producer_titles()
    if name not in known:  # created since the titles were read
        from ckan import model

        group = model.Group.get(name)
        known[name] = _titles(group) if group is not None else {}
    return tk.h.datagovma_translated(known[name], name)


def label_facets(search_results):
    """Facet items of our own fields, and producers, get their names in the reader's language."""
    facets = search_results.get("search_facets") or {}
    frequency = _choice_labels("frequency") if "frequency" in facets else {}
    for name, namer in (("themes", theme_name), ("regions", place_name), ("frequency", frequency.get),
                        ("organization", producer_name)):
        for item in facets.get(name, {}).get("items", []):
            item["display_name"] = namer(item["name"]) or item["name"]
    return search_results


def key_figures():
    """Datasets, resources and producers published, downloads and page views (CKAN's tracking),
    and the published datasets counted by theme, region, producer, format and licence."""
    now = time.time()
    if _FIGURES_CACHE["value"] is not None and now - _FIGURES_CACHE["at"] < FIGURES_TTL:
        return _FIGURES_CACHE["value"]
    from ckan import model

    context = {"ignore_auth": False}
    search = tk.get_action("package_search")(context, {
        "rows": 0, "facet.field": ["themes", "regions", "organization", "res_format", "license_id"],
        "facet.limit": -1})
    facets = search["search_facets"]
    public = model.Session.query(model.Package.id).filter(
        model.Package.state == "active", model.Package.private == False)  # noqa: E712
    resources = model.Session.query(model.Resource).filter(
        model.Resource.state == "active", model.Resource.package_id.in_(public.statement)).count()
    views = downloads = 0
    try:
        from sqlalchemy import text

        row = model.Session.execute(text(
            "SELECT coalesce(sum(CASE WHEN tracking_type = 'resource' THEN count END), 0), "
            "coalesce(sum(CASE WHEN tracking_type = 'page' THEN count END), 0) FROM tracking_summary")).fetchone()
        downloads, views = int(row[0]), int(row[1])
    except Exception:  # tracking tables absent (plugin not migrated): no figures rather than an error page
        model.Session.rollback()

    def counted(name):
        """[(value, count)] of a facet, largest first."""
        items = [(i["name"], i["count"]) for i in facets.get(name, {}).get("items", []) if i["count"]]
        return sorted(items, key=lambda item: (-item[1], item[0]))

    value = {
        "datasets": search["count"],
        "resources": resources,
        "producers": len(counted("organization")),
        "downloads": downloads,
        "views": views,
        "themes": counted("themes"),
        "regions": dict(counted("regions")),
        "by_producer": counted("organization"),
        "by_format": counted("res_format"),
        "by_licence": counted("license_id"),
    }
    _FIGURES_CACHE.update(at=now, value=value)
    return value


def most_viewed(rows=10):
    """The published datasets with the most page views (CKAN's tracking): [(dataset, views)]."""
    result = tk.get_action("package_search")({}, {"rows": rows, "sort": "views_total desc",
                                                  "fq": "views_total:[1 TO *]"})
    return [(pkg, pkg.get("tracking_summary", {}).get("total", 0)) for pkg in result["results"]]


def chart(items, name, url):
    """Rows of a bar chart from [(value, count)]: [(label, count, share of the largest in %, link)]."""
    top = max((count for _, count in items), default=0) or 1
    return [(name(key) if name else key, count, round(100 * count / top, 1), url(key)) for key, count in items]


def language_links():
    """[(code, name, url of this same page in that language, current?)]"""
    path = request.full_path if request.query_string else request.path
    current = tk.h.lang() or "fr"
    parts = path.split("/", 2)
    if len(parts) > 1 and parts[1] in LANGUAGE_NAMES:
        path = "/" + (parts[2] if len(parts) > 2 else "")
    links = []
    default = tk.config.get("ckan.locale_default") or "fr"
    for code, name in LANGUAGE_NAMES.items():
        url = path if code == default else f"/{code}{path}"
        links.append((code, name, url.rstrip("?") or "/", code == current))
    return links


SEARCH_ENDPOINTS = {"dataset.search", "organization.read", "group.read", "organization.index", "group.index"}
SORTS = {"score desc, metadata_modified desc", "title_string asc", "title_string desc", "metadata_modified desc",
         "views_recent desc", "name asc", "name desc"}


def normalise_search_parameters():
    """before_request: a bad ``page`` or ``sort`` on a search page leads to the same page without
    it and a message, rather than CKAN's 400 error page."""
    if request.endpoint not in SEARCH_ENDPOINTS:
        return None
    args = request.args.to_dict(flat=False)
    problems = []
    page = request.args.get("page")
    if page is not None and (not page.isdigit() or int(page) < 1):
        args.pop("page")
        problems.append(tk._("The page number {0} does not exist: here is the first page").format(page[:20]))
    sort = request.args.get("sort")
    if sort is not None and sort not in SORTS:
        args.pop("sort")
        problems.append(tk._("Unknown sort order: results are sorted by relevance"))
    if not problems:
        return None
    for problem in problems:
        tk.h.flash_notice(problem)
    from urllib.parse import urlencode

    query = urlencode([(k, v) for k, values in args.items() for v in values])
    return tk.redirect_to(request.path + (f"?{query}" if query else ""))
