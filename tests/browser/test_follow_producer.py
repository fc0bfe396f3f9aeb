"""A logged-in reader follows a producer from its page, in French and in Arabic: the follow button
(core's, answered by core's follow and unfollow views) replaces the producer card it was clicked in,
the follow is recorded, and nothing on the page is left pointing at an element that is not there."""

import os

import pytest
from ckan.tests import factories

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import PASSWORD, publish
from .conftest import ARTIFACTS, Visitor

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]

PRODUCER = "haut-commissariat-au-plan"


def follow_button(page):
    """The producer card's follow button: (its action, how many cards the page has)."""
    card = page.locator("#organization-info")
    return card.locator("a[hx-post]").get_attribute("hx-post"), card.count()


@pytest.mark.parametrize("lang, prefix", [("fr", ""), ("ar", "/ar")])
def test_following_a_producer_from_its_page(app, browser, live_server, portal, lang, prefix):
    publish(portal, name="population-regions")
    reader = factories.User(name=f"lectrice-{lang}", password=PASSWORD, image_url="")
    visitor = Visitor(browser, live_server, f"follow-{lang}", os.path.join(ARTIFACTS, f"follow-producer-{lang}"))
    visitor.login(prefix, reader["name"])
    page = visitor.page

    page.goto(f"{prefix}/organization/{PRODUCER}")
    action, cards = follow_button(page)
    assert "/organization/follow/" in action and cards == 1, action
    page.locator("#organization-info a[hx-post]").click()
    page.wait_for_selector("#organization-info a[hx-post*='/unfollow/']")
    visitor.shot("followed")
    action, cards = follow_button(page)
    assert "/unfollow/" in action and cards == 1
    # the answer is the card itself, in the reader's language, not core's box with its counts
    assert page.locator("#organization-info.datagovma-producer-card").count() == 1
    assert page.locator("#organization-info dl").count() == 0
    assert page.get_attribute("html", "lang") == lang
    assert portal["sysadmin"].ok("am_following_group", id=PRODUCER) is False
    assert [f["name"] for f in portal["sysadmin"].ok("organization_follower_list", id=PRODUCER)] == [reader["name"]]

    page.reload()
    assert "/unfollow/" in follow_button(page)[0]
    page.locator("#organization-info a[hx-post]").click()
    page.wait_for_selector("#organization-info a[hx-post*='/follow/']:not([hx-post*='/unfollow/'])")
    visitor.shot("unfollowed")
    assert follow_button(page)[1] == 1
    assert portal["sysadmin"].ok("organization_follower_list", id=PRODUCER) == []

    # a dataset's page shows its producer's card without a follow button: the page's own
    # "am_following" is about the dataset (core shows none there either)
    page.goto(f"{prefix}/dataset/population-regions")
    assert page.locator(".datagovma-producer-card").count() == 1
    assert page.locator(".datagovma-producer-card a[hx-post]").count() == 0
    visitor.assert_clean()
    visitor.close()
