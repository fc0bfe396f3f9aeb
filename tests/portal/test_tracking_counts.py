"""Page views and downloads on search results, dataset pages and the API (plugin datagovma_tracking):
the same counts as CKAN's tracking plugin, read in two queries per list whatever its length."""

import datetime as dt
import re

import pytest
from ckan import model
from sqlalchemy import event

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import complete_dataset

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]
DATASETS = ("population-regions", "budget-rabat", "eau-oriental")


def resource_url(name):
    return f"http://127.0.0.1/{name}.csv"


@pytest.fixture
def visited(portal):
    """Three published datasets; the first viewed by 3 visitors and downloaded by 2, the second
    viewed once, the third never; then `ckan tracking update`."""
    portal["sysadmin"].ok("group_create", name="societe", title_translated={"fr": "Société"})
    for name in DATASETS:
        dataset = portal["gdd_hcp"].ok("package_create", **complete_dataset(
            name=name, resources=[{"url": resource_url(name), "format": "csv", "name_translated": {"fr": name}}]))
        portal["gdd_hcp"].ok("datagovma_dataset_submit", id=dataset["id"])
        portal["rod_hcp"].ok("datagovma_dataset_publish", id=dataset["id"])
    from ckanext.tracking.cli.tracking import update_all
    from ckanext.tracking.model import TrackingRaw

    for visitor in ("a", "b", "c"):
        TrackingRaw.create(user_key=visitor, url="/dataset/population-regions", tracking_type="page")
    for visitor in ("a", "b"):
        TrackingRaw.create(user_key=visitor, url=resource_url("population-regions"), tracking_type="resource")
    TrackingRaw.create(user_key="d", url="/ar/dataset/budget-rabat", tracking_type="page")
    update_all(dt.date.today().isoformat())
    return portal


EXPECTED = {"population-regions": ({"total": 3, "recent": 3}, {"total": 2, "recent": 2}),
            "budget-rabat": ({"total": 1, "recent": 1}, {"total": 0, "recent": 0}),
            "eau-oriental": ({"total": 0, "recent": 0}, {"total": 0, "recent": 0})}


def counts(dataset):
    return dataset["tracking_summary"], dataset["resources"][0]["tracking_summary"]


def test_search_results_and_dataset_pages_carry_views_and_downloads(visited):
    api = visited["anonymous"]
    results = api.ok("package_search", rows=1000)["results"]
    assert {d["name"]: counts(d) for d in results} == EXPECTED
    for name in DATASETS:
        assert counts(api.ok("package_show", id=name)) == EXPECTED[name]


@pytest.mark.parametrize("lang,views,downloads", [("", "Pages vues", "Téléchargements"),
                                                  ("/ar", "مشاهدات الصفحة", "التنزيلات")])
def test_the_dataset_page_shows_its_page_views_and_downloads(app, visited, lang, views, downloads):
    body = app.get(f"{lang}/dataset/population-regions").body
    nums = body[body.index("datagovma-dataset-nums"):]
    assert re.search(rf"{views}</dt>\s*<dd><span[^>]*>3</span>", nums), nums[:600]
    assert re.search(rf"{downloads}</dt>\s*<dd><span[^>]*>2</span>", nums), nums[:600]


def test_the_most_viewed_come_first(visited):
    # `tracking update` re-indexes what it counted: views_recent sorts the search
    results = visited["anonymous"].ok("package_search", sort="views_recent desc")["results"]
    assert [d["name"] for d in results] == list(DATASETS)


def test_a_search_page_reads_its_counts_in_two_queries_whatever_its_length(visited):
    statements = []

    def seen(conn, cursor, statement, *args):
        if "tracking_summary" in statement:
            statements.append(statement)

    engine = model.meta.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        for rows in (1, 3):
            statements.clear()
            assert len(visited["anonymous"].ok("package_search", rows=rows)["results"]) == rows
            assert len(statements) == 2, statements  # the datasets' counts, then their resources'
    finally:
        event.remove(engine, "before_cursor_execute", seen)


@pytest.mark.parametrize("type_,number", [("recent views", 0), ("recent views", 9), ("recent views", 10),
                                          ("recent views", 250), ("views", 12)])
def test_the_popular_flame_is_cores(app, type_, number):
    from ckanext.tracking.helpers import popular as core_popular

    from ckanext.datagovma.tracking import popular

    with app.flask_app.test_request_context():
        ours, core = str(popular(type_, number, min=10)), str(core_popular(type_, number, min=10))
    assert ours.strip() == core.strip()
    assert ("fa-fire-flame-curved" in ours) == (number >= 10)


def test_a_much_viewed_dataset_shows_the_flame_in_lists(app, visited):
    from ckanext.tracking.cli.tracking import update_all
    from ckanext.tracking.model import TrackingRaw

    for visitor in range(12):
        TrackingRaw.create(user_key=f"v{visitor}", url="/dataset/eau-oriental", tracking_type="page")
    update_all(dt.date.today().isoformat())
    items = app.get("/dataset/").body.split('class="dataset-item')[1:]
    flames = {re.search(r'href="/dataset/([^"]+)"', item).group(1): "fa-fire-flame-curved" in item for item in items}
    assert flames == {"eau-oriental": True, "population-regions": False, "budget-rabat": False}
