"""GdD -> ROD review: only published datasets are public, every transition is in the activity
stream with who did it, and the legal rules hold whatever the role."""

import pytest

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import complete_dataset

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]


def visible_to_anonymous(portal, name):
    found = portal["anonymous"].ok("package_search", q=f'name:"{name}"')
    return found["count"] == 1


def test_gdd_submits_rod_publishes_and_the_public_finds_it(portal):
    gdd, rod = portal["gdd_hcp"], portal["rod_hcp"]
    dataset = gdd.ok("package_create", **complete_dataset())
    assert dataset["publication_status"] == "draft" and dataset["private"] is True
    assert not visible_to_anonymous(portal, dataset["name"])
    portal["anonymous"].call("package_show", status=404, id=dataset["name"])  # not even its existence

    submitted = gdd.ok("datagovma_dataset_submit", id=dataset["name"])
    assert submitted["publication_status"] == "in_review" and submitted["private"] is True
    assert not visible_to_anonymous(portal, dataset["name"])

    published = rod.ok("datagovma_dataset_publish", id=dataset["name"])
    assert published["publication_status"] == "published" and published["private"] is False
    assert visible_to_anonymous(portal, dataset["name"])
    assert portal["anonymous"].ok("package_show", id=dataset["name"])["title"] == "Population légale des régions"

    activities = rod.ok("package_activity_list", id=dataset["id"])
    actors = [a["user_id"] for a in activities]
    assert portal["rod_hcp"].user["id"] in actors and portal["gdd_hcp"].user["id"] in actors
    assert all(a["timestamp"] for a in activities)


def test_rod_returns_with_a_comment_the_gdd_sees(portal):
    gdd, rod = portal["gdd_hcp"], portal["rod_hcp"]
    dataset = gdd.ok("package_create", **complete_dataset())
    gdd.ok("datagovma_dataset_submit", id=dataset["id"])
    body = rod.call("datagovma_dataset_return", status=409, id=dataset["id"])
    assert "comment" in body["error"]
    returned = rod.ok("datagovma_dataset_return", id=dataset["id"], comment="Ajoutez la source des données")
    assert returned["publication_status"] == "returned"
    seen = gdd.ok("package_show", id=dataset["id"])
    assert seen["review_comment"] == "Ajoutez la source des données"
    assert gdd.ok("datagovma_dataset_submit", id=dataset["id"])["publication_status"] == "in_review"


def test_a_gdd_cannot_publish_or_make_public_by_editing(portal):
    gdd = portal["gdd_hcp"]
    dataset = gdd.ok("package_create", **complete_dataset())
    gdd.ok("datagovma_dataset_submit", id=dataset["id"])
    gdd.call("datagovma_dataset_publish", status=403, id=dataset["id"])
    body = gdd.call("package_patch", status=409, id=dataset["id"], private=False, publication_status="published")
    assert "publication_status" in body["error"]  # said, not silently ignored (tests/security)
    after = portal["sysadmin"].ok("package_show", id=dataset["id"])
    assert after["private"] is True and after["publication_status"] == "in_review"
    assert not visible_to_anonymous(portal, dataset["name"])


def test_a_gdd_can_never_edit_another_producers_dataset(portal):
    dataset = portal["gdd_hcp"].ok("package_create", **complete_dataset())
    other = portal["gdd_sante"]
    other.call("package_patch", status=403, id=dataset["id"], title_translated={"fr": "Détourné"})
    other.call("datagovma_dataset_submit", status=403, id=dataset["id"])
    other.call("package_create", status=403, **complete_dataset(name="intrus"))
    assert portal["sysadmin"].ok("package_show", id=dataset["id"])["title"] == "Population légale des régions"


def test_the_rod_of_another_producer_cannot_publish(portal):
    dataset = portal["gdd_hcp"].ok("package_create", **complete_dataset())
    portal["gdd_hcp"].ok("datagovma_dataset_submit", id=dataset["id"])
    portal["rod_sante"].call("datagovma_dataset_publish", status=403, id=dataset["id"])


@pytest.mark.parametrize("overrides, field", [
    ({"classification": "confidentiel"}, "classification"),
    ({"classification": "diffusion-restreinte"}, "classification"),
    ({"personal_data": "personnelles", "cndp_reference": "D-GC-123/2024"}, "personal_data"),
])
def test_nobody_can_publish_classified_or_personal_data(portal, overrides, field):
    dataset = portal["gdd_hcp"].ok("package_create", **complete_dataset(**overrides))
    portal["gdd_hcp"].ok("datagovma_dataset_submit", id=dataset["id"])
    for reviewer in ("rod_hcp", "sysadmin"):
        body = portal[reviewer].call("datagovma_dataset_publish", status=409, id=dataset["id"])
        assert field in body["error"]
    body = portal["sysadmin"].call("package_patch", status=409, id=dataset["id"], publication_status="published")
    assert field in body["error"]
    after = portal["sysadmin"].ok("package_show", id=dataset["id"])
    assert after["private"] is True and after["publication_status"] == "in_review"
    assert not visible_to_anonymous(portal, dataset["name"])


def test_a_published_dataset_that_becomes_classified_is_refused(portal):
    dataset = portal["gdd_hcp"].ok("package_create", **complete_dataset())
    portal["gdd_hcp"].ok("datagovma_dataset_submit", id=dataset["id"])
    portal["rod_hcp"].ok("datagovma_dataset_publish", id=dataset["id"])
    body = portal["gdd_hcp"].call("package_patch", status=409, id=dataset["id"], classification="secret")
    assert "classification" in body["error"]
    assert visible_to_anonymous(portal, dataset["name"])
