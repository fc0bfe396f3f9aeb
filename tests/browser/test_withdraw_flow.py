"""The publication invariant through the forms, in a real browser with CSRF protection and the
portal's Content-Security-Policy on, as in production: the GdD's edit form offers nothing that
makes a dataset public or private; the ROD withdraws a publication with a reason from the dataset
page; the public loses it at once; the GdD reads the reason and submits it again."""

import os

import pytest

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import publish
from .conftest import ARTIFACTS, Visitor

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
              pytest.mark.ckan_config("WTF_CSRF_ENABLED", True), pytest.mark.usefixtures("portal")]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_rod_withdraws_and_the_public_loses_it_at_once(browser, live_server, portal, lang):
    prefix = "" if lang == "fr" else "/ar"
    folder = os.path.join(ARTIFACTS, f"withdraw-flow-{lang}")
    dataset = publish(portal)
    name = dataset["name"]

    gdd = Visitor(browser, live_server, "1-gdd", folder)
    gdd.login(prefix, portal["gdd_hcp"].user["name"])
    gdd.page.goto(f"{prefix}/dataset/edit/{name}")
    gdd.shot("edit-form")
    assert gdd.page.locator("button[value=go-metadata-unpublish]").count() == 0
    assert gdd.page.locator("select[name=private]").count() == 0
    assert gdd.page.locator("button[value=withdraw]").count() == 0
    gdd.assert_clean()

    rod = Visitor(browser, live_server, "2-rod", folder)
    rod.login(prefix, portal["rod_hcp"].user["name"])
    rod.page.goto(f"{prefix}/dataset/{name}")
    assert rod.page.get_attribute("[data-status]", "data-status") == "published"
    rod.page.fill("#datagovma-withdraw-reason", "Chiffres provisoires à corriger")
    rod.shot("withdraw")
    rod.page.click("button[value=withdraw]")
    rod.page.wait_for_load_state()
    rod.shot("withdrawn")
    assert rod.page.get_attribute("[data-status]", "data-status") == "withdrawn"
    rod.assert_clean()

    visitor = Visitor(browser, live_server, "3-public", folder)
    response = visitor.page.goto(f"{prefix}/dataset/{name}")
    assert response.status == 404
    visitor.page.goto(f"{prefix}/dataset/")
    visitor.shot("search")
    assert visitor.page.locator(f"a[href$='/dataset/{name}']").count() == 0
    visitor.close()

    gdd.page.goto(f"{prefix}/dataset/{name}")
    gdd.shot("reason")
    assert "Chiffres provisoires à corriger" in gdd.page.inner_text(".datagovma-review-comment")
    gdd.page.click("button[value=submit]")
    gdd.page.wait_for_load_state()
    assert gdd.page.get_attribute("[data-status]", "data-status") == "in_review"
    gdd.assert_clean()
    gdd.close()
    rod.close()
