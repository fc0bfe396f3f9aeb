"""Page views and downloads, counted by CKAN's tracking from a real browser, reach the key figures
(home and key figures page), the most viewed list and the resource's download count once the
tracking summary is updated (`ckan tracking update`, run by `make run` every 10 minutes)."""

import datetime as dt
import os
import re
import time

import pytest

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import complete_dataset
from .conftest import ARTIFACTS, Visitor

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]


def figure(body, label):
    """A total of the figures list: exact on the key figures page, rounded (in a span) on the home page."""
    return int(re.search(rf"<strong>(?:<span[^>]*>)?(\d+)(?:</span>)?</strong>\s*{label}", body)[1])


def tracked(page_views, downloads, timeout=15):
    """{tracking type: rows} of tracking_raw once the live server has written the rows expected.
    The browser does not wait for its tracking requests (a download's gives up after 30 ms and
    the link is followed at once): on a loaded machine the server may still be writing them when
    the test goes on, and the summary would be computed without them."""
    from ckan import model
    from sqlalchemy import text

    deadline = time.time() + timeout
    while True:
        rows = dict(model.Session.execute(
            text("SELECT tracking_type, count(*) FROM tracking_raw GROUP BY tracking_type")).fetchall())
        model.Session.commit()  # a new snapshot for the next look
        if (rows.get("page", 0) >= page_views and rows.get("resource", 0) >= downloads) or time.time() > deadline:
            return rows
        time.sleep(0.1)


def test_views_and_downloads_in_a_browser_feed_the_key_figures(app, browser, live_server, portal):
    dataset = portal["gdd_hcp"].ok("package_create", **complete_dataset(name="population-regions"))
    resource = portal["gdd_hcp"].ok("resource_create", package_id=dataset["id"], format="CSV",
                                    name_translated={"fr": "Population par région"},
                                    url=f"{live_server}/api/3/action/status_show")
    portal["gdd_hcp"].ok("datagovma_dataset_submit", id=dataset["id"])
    portal["rod_hcp"].ok("datagovma_dataset_publish", id=dataset["id"])
    visitor = Visitor(browser, live_server, "tracking", os.path.join(ARTIFACTS, "tracking"))
    page = visitor.page
    with page.expect_request(lambda r: r.url.endswith("/_tracking") and r.method == "POST"):
        page.goto("/dataset/population-regions")
    with page.expect_request(lambda r: r.url.endswith("/_tracking") and "type=resource" in (r.post_data or "")):
        page.goto(f"/dataset/population-regions/resource/{resource['id']}")
        page.click("a.resource-url-analytics.btn")
    visitor.shot("resource")
    visitor.assert_clean()
    visitor.close()

    from ckanext.tracking.cli.tracking import update_all

    from ckanext.datagovma import portal as portal_module

    assert tracked(page_views=2, downloads=1) == {"page": 2, "resource": 1}
    update_all(dt.date.today().isoformat())
    portal_module.reset_kept()  # figures are kept for a minute
    figures = app.get("/chiffres-cles").body
    assert figure(figures, "pages vues") == 2  # the dataset page and the resource page
    assert figure(figures, "téléchargements") == 1
    viewed = figures[figures.index('id="datagovma-chart-viewed"'):]
    assert "Population légale des régions" in viewed
    assert figure(app.get("/").body, "téléchargements") == 1
    dataset_page = app.get("/dataset/population-regions").body
    assert re.search(r'datagovma-downloads"><span[^>]*>1</span>', dataset_page)
