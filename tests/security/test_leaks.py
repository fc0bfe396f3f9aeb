"""Nothing of a dataset that is not public shows to someone who may not read it: its keywords, its
place in a producer's member list, its activities (recorded while it was public included), its
feeds; and nobody's account is public but to themselves."""

import pytest

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import complete_dataset, publish

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]

SECRET_TAG = "budget-confidentiel"


@pytest.fixture
def draft(portal):
    return portal["gdd_hcp"].ok("package_create", **complete_dataset(
        name="brouillon-interne", tag_string=f"{SECRET_TAG},population"))


@pytest.fixture
def withdrawn(portal):
    """A dataset that was public (its activities were recorded as public), then edited while public
    (a later description), then withdrawn by its ROD."""
    created = publish(portal, name="retire", tag_string="retire-plus-tard")
    portal["gdd_hcp"].ok("package_patch", id=created["id"],
                         notes_translated={"fr": "Note interne révisée", "ar": "ملاحظة"})
    portal["rod_hcp"].ok("datagovma_dataset_withdraw", id=created["id"], reason="Erreur de chiffres")
    return created


def test_keywords_of_non_public_datasets_are_not_listed(portal, draft, withdrawn):
    publish(portal, name="publie", tag_string="population")
    for who in ("anonymous", "gdd_sante"):
        tags = portal[who].ok("tag_list")
        assert "population" in tags
        assert SECRET_TAG not in tags and "retire-plus-tard" not in tags
        assert SECRET_TAG not in portal[who].ok("tag_list", query="budget")
        portal[who].call("tag_show", status=404, id=SECRET_TAG)
        shown = portal[who].ok("tag_show", id="population", include_datasets=True)
        assert [d["name"] for d in shown.get("packages", [])] == ["publie"]
    # the producer's own people still see their keywords
    assert SECRET_TAG in portal["gdd_hcp"].ok("tag_list")


def test_member_lists_name_only_public_datasets(portal, draft, withdrawn):
    published = publish(portal, name="publie")
    for who in ("anonymous", "gdd_sante"):
        members = portal[who].ok("member_list", id="haut-commissariat-au-plan", object_type="package")
        ids = {m[0] for m in members}
        assert ids == {published["id"]}, members
    own = {m[0] for m in portal["gdd_hcp"].ok("member_list", id="haut-commissariat-au-plan",
                                               object_type="package")}
    assert {draft["id"], withdrawn["id"], published["id"]} <= own


def _mentions(activities, dataset):
    return [a for a in activities if a.get("object_id") == dataset["id"]
            or (a.get("data") or {}).get("package", {}).get("id") == dataset["id"]]


def test_activity_streams_forget_a_withdrawn_or_private_dataset(portal, app, draft, withdrawn):
    anonymous, other = portal["anonymous"], portal["gdd_sante"]
    for api in (anonymous, other):
        for action, params in (("organization_activity_list", {"id": "haut-commissariat-au-plan"}),
                               ("recently_changed_packages_activity_list", {})):
            found = api.ok(action, **params)
            assert _mentions(found, withdrawn) == [] and _mentions(found, draft) == [], action
        api.call("package_activity_list", status=403, id=withdrawn["id"])
    # a follower of the dataset while it was public: their dashboard forgets it
    follower = portal["gdd_sante"]
    portal["rod_hcp"].ok("datagovma_dataset_submit", id=withdrawn["id"])
    portal["rod_hcp"].ok("datagovma_dataset_publish", id=withdrawn["id"])
    follower.ok("follow_dataset", id=withdrawn["id"])
    portal["gdd_hcp"].ok("package_patch", id=withdrawn["id"], notes_translated={"fr": "Encore une note"})
    assert _mentions(follower.ok("dashboard_activity_list"), withdrawn)
    portal["rod_hcp"].ok("datagovma_dataset_withdraw", id=withdrawn["id"], reason="Encore une erreur")
    assert _mentions(follower.ok("dashboard_activity_list"), withdrawn) == []
    for page in ("/organization/activity/haut-commissariat-au-plan", "/dashboard/datasets"):
        body = app.get(page, headers=follower.headers).body
        assert "Encore une note" not in body and "Note interne révisée" not in body


def test_a_users_activity_and_profile_are_theirs(portal, app, draft, withdrawn):
    gdd = portal["gdd_hcp"].user
    portal["anonymous"].call("user_activity_list", status=403, id=gdd["name"])
    app.get(f"/user/activity/{gdd['name']}", status=403)
    portal["anonymous"].call("user_list", status=403)
    portal["anonymous"].call("user_show", status=403, id=gdd["name"])
    app.get(f"/user/{gdd['name']}", status=403)
    # another signed-in user does not see them either
    portal["gdd_sante"].call("user_list", status=403)
    portal["gdd_sante"].call("user_show", status=403, id=gdd["name"])
    portal["gdd_sante"].call("user_activity_list", status=403, id=gdd["name"])
    # but a user sees their own, and a sysadmin everyone's
    assert portal["gdd_hcp"].ok("user_show", id=gdd["name"])["name"] == gdd["name"]
    assert portal["gdd_hcp"].ok("user_activity_list", id=gdd["name"])
    assert len(portal["sysadmin"].ok("user_list")) >= 5


def test_feeds_list_only_public_datasets(portal, app, draft, withdrawn):
    publish(portal, name="publie")
    for feed in ("/feeds/dataset.atom", "/feeds/organization/haut-commissariat-au-plan.atom",
                 "/feeds/tag/population.atom", "/feeds/custom.atom?q=population"):
        body = app.get(feed, status=200).body
        assert "retire" not in body and "brouillon-interne" not in body, feed


def test_what_was_typed_before_the_review_stays_with_the_producer(portal):
    """Publishing a dataset does not publish its drafts: the activities recorded before the ROD's
    decision keep their labels (they may hold what the review had removed)."""
    gdd = portal["gdd_hcp"]
    created = gdd.ok("package_create", **complete_dataset(name="historique", classification="secret",
                                                           notes_translated={"fr": "NOTE-INTERNE-DU-BROUILLON"}))
    gdd.ok("package_patch", id=created["id"], classification="non-classifie", notes_translated={"fr": "Propre."})
    gdd.ok("datagovma_dataset_submit", id=created["id"])
    portal["rod_hcp"].ok("datagovma_dataset_publish", id=created["id"])
    anonymous = portal["anonymous"]
    seen = [anonymous.call("activity_data_show", status=None, id=activity["id"])
            for activity in portal["sysadmin"].ok("package_activity_list", id=created["id"], limit=100)]
    seen.append(anonymous.ok("recently_changed_packages_activity_list"))
    seen.append(anonymous.ok("package_activity_list", id=created["id"], limit=100))
    assert "NOTE-INTERNE-DU-BROUILLON" not in repr(seen)


def test_keyword_and_format_suggestions_come_from_readable_datasets_only(portal, draft):
    resource = dict(complete_dataset()["resources"][0], format="zzformat-interne")
    portal["gdd_hcp"].ok("resource_create", package_id=draft["id"], **resource)
    for who in ("anonymous", "gdd_sante"):
        api = portal[who]
        assert api.ok("tag_search", query="budget")["results"] == []
        assert api.ok("tag_autocomplete", q="budget") == []
        assert api.ok("format_autocomplete", q="zzformat") == []
    assert portal["gdd_hcp"].ok("tag_autocomplete", q="budget") == [SECRET_TAG]
    assert portal["gdd_hcp"].ok("format_autocomplete", q="zzformat")


def test_who_is_rod_where_is_not_public(portal):
    portal["anonymous"].call("organization_list_for_user", status=403, id="rod-hcp")
    portal["gdd_sante"].call("organization_list_for_user", status=403, id="rod-hcp")
    assert portal["rod_hcp"].ok("organization_list_for_user", id="rod-hcp")
    assert portal["anonymous"].ok("organization_list_for_user") == []


def test_a_draft_is_not_found_for_a_visitor_not_even_its_id(portal, draft):
    body = portal["anonymous"].call("package_show", status=404, id=draft["name"])
    assert draft["id"] not in repr(body)
