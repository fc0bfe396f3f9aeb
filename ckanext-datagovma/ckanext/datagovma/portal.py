"""What the citizens' portal shows: facets and their labels in the reader's language, the key
figures of the home page, language links that keep the current page, and bad search
parameters turned into a normal page with a message."""

import time
from collections import OrderedDict
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckanext.scheming.helpers import scheming_get_dataset_schema, scheming_language_text
from flask import request

from . import multilingual, reference

LANGUAGE_NAMES = OrderedDict([("fr", "Français"), ("ar", "العربية"), ("en", "English")])
PRODUCERS_TTL = 300  # seconds: producers are renamed rarely; facets are shown on every search page
FIGURES_TTL = 60  # seconds: the home page is served often, the figures change slowly
# What is kept between requests (reset_kept() forgets it).
_kept = {"figures": {"at": 0.0, "value": None}, "producers": {"at": 0.0, "value": None}}


def reset_kept():
    """Forget the key figures and producers' titles kept between requests (read anew next time)."""
    for kept in _kept.values():
        kept.update(at=0.0, value=None)


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


def choices(field_name):
    """The choices of a field of the dataset schema: [{"value", "label"}]."""
    for field in (scheming_get_dataset_schema("dataset") or {}).get("dataset_fields", []):
        if field["field_name"] == field_name:
            return field.get("choices", [])
    return []


def choice_labels(field_name):
    """{value: label in the reader's language} of a field of the dataset schema."""
    return {c["value"]: scheming_language_text(c["label"]) for c in choices(field_name)}


def place_name(code):
    lang = multilingual.reader_language()
    row = reference.regions().get(code) or reference.provinces().get(code)
    if not row:
        return code
    return (row.get("name_ar") if lang == "ar" else None) or row["name_fr"]


def theme_name(slug):
    lang = multilingual.reader_language()
    row = reference.themes().get(slug)
    if not row:
        return slug
    return row["name_ar"] if lang == "ar" else row["name_fr"]


def _titles(group):
    """A producer's {"fr": ..., "ar": ...} title (its CKAN title when it has no translations)."""
    return multilingual.as_dict(group.extras.get("title_translated")) or {"fr": group.title or group.name}


def _producer_titles():
    """{organization name: titles} of every producer, read once every few minutes."""
    now = time.time()
    kept = _kept["producers"]
    if kept["value"] is None or now - kept["at"] > PRODUCERS_TTL:
        producers = model.Session.query(model.Group).filter(
            model.Group.is_organization.is_(True), model.Group.state == "active")
        kept.update(at=now, value={group.name: _titles(group) for group in producers})
    return kept["value"]


def producer_name(name):
    """A producer's name in the reader's language (else French, else Arabic)."""
    known = _producer_titles()
    if name not in known:  # created since the titles were read
        group = model.Group.get(name)
        known[name] = _titles(group) if group is not None else {}
    return multilingual.translated(known[name], name)


def label_facets(search_results):
    """Facet items of our own fields, and producers, get their names in the reader's language."""
    facets = search_results.get("search_facets") or {}
    frequency = choice_labels("frequency") if "frequency" in facets else {}
    for name, namer in (("themes", theme_name), ("regions", place_name), ("frequency", frequency.get),
                        ("organization", producer_name)):
        for item in facets.get(name, {}).get("items", []):
            item["display_name"] = namer(item["name"]) or item["name"]
    return search_results


def key_figures():
    """Datasets, resources and producers published, downloads and page views (CKAN's tracking),
    and the published datasets counted by theme, region, producer, format and licence."""
    now = time.time()
    kept = _kept["figures"]
    if kept["value"] is not None and now - kept["at"] < FIGURES_TTL:
        return kept["value"]
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
        row = model.Session.execute(sa.text(
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
    kept.update(at=now, value=value)
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
    query = urlencode([(k, v) for k, values in args.items() for v in values])
    return tk.redirect_to(request.path + (f"?{query}" if query else ""))
