"""Page-view and download counts (CKAN's tracking) read in one query per list instead of one per
dataset and per resource.

CKAN's tracking plugin asks PostgreSQL once for each dataset and once for each resource of every
search result (ckan/ckan#8772): 60 queries for a page of 20 datasets, thousands for an API call
with rows=1000. The plugin datagovma_tracking (plugin.py) is CKAN's own plugin with these lookups
batched; the counts are the same: for each dataset id or resource URL, the running total and
recent views of its latest summary row, or zeros.
"""

import os

import ckanext.tracking
import sqlalchemy as sa
from ckan import model
from ckanext.tracking import helpers as core_helpers
from flask import Blueprint, Response

# one statement per key, its values passed as one array (an expanding IN is compiled anew for
# each number of values)
_LATEST = {key: sa.text(f"""
SELECT DISTINCT ON ({key}) {key}, running_total, recent_views
FROM tracking_summary WHERE {key} = ANY(:keys)
ORDER BY {key}, tracking_date DESC
""") for key in ("package_id", "url")}
ZERO = {"total": 0, "recent": 0}


def _latest(key, values):
    values = {v for v in values if v}
    if not values:
        return {}
    rows = model.Session.execute(_LATEST[key], {"keys": sorted(values)})
    return {row[0]: {"total": row[1], "recent": row[2]} for row in rows}


def add_summaries(datasets):
    """Sets ``tracking_summary`` on each dataset dict that has an id and on each of its resources
    that has a URL (as CKAN's tracking plugin does), with two queries for all of them."""
    datasets = [d for d in datasets if "id" in d]
    by_package = _latest("package_id", (d["id"] for d in datasets))
    by_url = _latest("url", (r.get("url") for d in datasets for r in d.get("resources") or []))
    for dataset in datasets:
        dataset["tracking_summary"] = dict(by_package.get(dataset["id"], ZERO))
        for resource in dataset.get("resources") or []:
            if "url" in resource:
                resource["tracking_summary"] = dict(by_url.get(resource["url"], ZERO))


def index_fields(pkg_dict):
    """What CKAN's tracking plugin adds to a search document: views_total and views_recent, for
    sorting by popularity; the summaries themselves are not indexed."""
    pkg_dict.pop("tracking_summary", None)
    summary = _latest("package_id", [pkg_dict["id"]]).get(pkg_dict["id"], ZERO)
    for resource in pkg_dict.get("resources") or []:
        resource.pop("tracking_summary", None)
    pkg_dict["views_total"] = summary["total"]
    pkg_dict["views_recent"] = summary["recent"]
    return pkg_dict


def popular(type_, number, min=1, title=None):
    """CKAN's ``h.popular`` (the flame beside a dataset viewed at least ``min`` times recently),
    which renders its snippet for each dataset of a list, 20 snippet look-ups per page to print
    nothing for almost all of them: below ``min`` it now prints nothing without the look-up."""
    if number < min:
        return ""
    return core_helpers.popular(type_, number, min=min, title=title)


def migrate():
    """Applies the migrations of CKAN's tracking plugin (the tables are its own), which `ckan db
    upgrade` only finds for a plugin named `tracking`."""
    alembic_ini = os.path.join(os.path.dirname(ckanext.tracking.__file__), "migration", "tracking", "alembic.ini")
    original = model.repo._alembic_ini
    model.repo._alembic_ini = alembic_ini
    try:
        model.repo.upgrade_db("head")
    finally:
        model.repo._alembic_ini = original


# The beacon's answer: CKAN's tracking records a view in an after_request hook (ckanext.tracking's
# middleware) for any POST to /_tracking, but registers no route for it.
beacon = Blueprint("datagovma_tracking", __name__)


@beacon.route("/_tracking", methods=["POST"])
def tracked():
    """204: the view was recorded (by ckanext-tracking's after_request hook)."""
    return Response(status=204)
