"""One door to publication: only the ROD of a producer (or a sysadmin) makes a dataset public,
and a dataset is public exactly when it is published, active and publishable, whatever path
changed it (API, forms, bulk actions, harvest, command line)."""

import pysolr
import pytest
from ckan import model

from ckanext.datagovma.cli import datagovma as datagovma_command

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import complete_dataset, publish
from . import invariant

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]


def anonymous_reads(portal, name):
    shown = portal["anonymous"].call("package_show", status=None, id=name)
    found = portal["anonymous"].ok("package_search", q=f'name:"{name}"')["count"]
    assert bool(shown["success"]) == bool(found), (shown, found)
    return bool(shown["success"])


# --- way 2: a dataset of another type -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["anything", "harvest", "showcase"])
def test_only_datasets_go_through_the_dataset_actions(portal, app, kind):
    for who in ("gdd_hcp", "rod_hcp", "sysadmin"):
        body = portal[who].call("package_create", status=409, **complete_dataset(
            name=f"autre-type-{who.replace('_', '-')}", type=kind, private=False))
        assert "type" in body["error"], body
    assert invariant.public_names() == set()
    for page in ("/", "/dataset/", "/organization/haut-commissariat-au-plan"):
        app.get(page, status=200)
    invariant.assert_holds()


def test_a_dataset_cannot_change_its_type(portal):
    created = publish(portal)
    for who in ("gdd_hcp", "sysadmin"):
        body = portal[who].call("package_patch", status=409, id=created["id"], type="harvest")
        assert "type" in body["error"]
    assert model.Package.get(created["id"]).type == "dataset"


def test_listing_pages_render_the_rest_when_an_index_document_is_odd(portal, app, ckan_config):
    """What the index held when a dataset of another type went public (before the type door):
    every listing page answered 500 for everyone until it was purged."""
    import json

    publish(portal)
    solr = pysolr.Solr(ckan_config["solr_url"], timeout=10)
    real = solr.search("name:population-legale-regions-2024", fl="*").docs[0]
    odd = []
    for kind, name in (("anything", "odd-type"), ("dataset", "odd-bare")):
        doc = {key: value for key, value in real.items() if key not in ("_version_", "score")}
        data = json.loads(doc["validated_data_dict"])
        data.update(id=name, name=name, type=kind)
        if kind == "dataset":  # a dataset missing the portal's fields
            for key in ("title_translated", "notes_translated", "themes", "regions", "organization", "resources",
                        "publication_status"):
                data.pop(key, None)
        doc.update(id=name, name=name, index_id=name, dataset_type=kind, validated_data_dict=json.dumps(data),
                   data_dict=json.dumps(data), permission_labels=["public"])  # an indexed field, not stored
        odd.append(doc)
    solr.add(odd, commit=True)
    for page in ("/", "/dataset/", "/ar/dataset/", "/organization/haut-commissariat-au-plan",
                 "/dataset/?q=odd", "/chiffres-cles", "/feeds/dataset.atom", "/catalog.ttl"):
        body = app.get(page, status=200).body
        assert "/anything/" not in body, page
        if page in ("/dataset/", "/ar/dataset/", "/organization/haut-commissariat-au-plan"):
            assert "population-legale-regions-2024" in body, page
    found = portal["anonymous"].ok("package_search", q='name:"odd-type" OR name:"odd-bare"')["results"]
    assert [d["name"] for d in found] == ["odd-bare"]
    solr.delete(id=["odd-type", "odd-bare"], commit=True)


# --- the forms -----------------------------------------------------------------------------------


def test_the_edit_form_has_no_control_that_bypasses_the_review(portal, app):
    created = publish(portal)
    body = app.get(f"/dataset/edit/{created['name']}", headers=portal["gdd_hcp"].headers, status=200).body
    assert "go-metadata-unpublish" not in body and "Unpublish" not in body
    assert 'name="private"' not in body
    body = app.get("/dataset/new", headers=portal["gdd_hcp"].headers, status=200).body
    assert 'name="private"' not in body


@pytest.mark.parametrize("who", ["gdd_hcp", "rod_hcp", "sysadmin"])
def test_a_published_dataset_cannot_be_set_back_to_draft_behind_the_review(portal, who):
    """What core's "Unpublish" button sends (state: draft): the dataset vanished for the public
    while the portal still said "published" (and the ROD's "Publier" could not bring it back)."""
    created = publish(portal)
    portal[who].call("package_patch", status=None, id=created["id"], state="draft")
    after = portal["sysadmin"].ok("package_show", id=created["id"])
    assert (after["publication_status"] == "published") == anonymous_reads(portal, created["name"])
    assert after["state"] == "active" and anonymous_reads(portal, created["name"])
    invariant.assert_holds()


# --- who may publish and withdraw ---------------------------------------------------------------


def test_a_gdd_asking_to_publish_or_make_public_is_told_no(portal):
    gdd = portal["gdd_hcp"]
    created = gdd.ok("package_create", **complete_dataset())
    gdd.ok("datagovma_dataset_submit", id=created["id"])
    body = gdd.call("package_patch", status=409, id=created["id"], private=False)
    assert "private" in body["error"]
    body = gdd.call("package_patch", status=409, id=created["id"], publication_status="published")
    assert "publication_status" in body["error"]
    body = gdd.call("package_create", status=409, **complete_dataset(name="direct", private=False))
    assert "private" in body["error"]
    assert not anonymous_reads(portal, created["name"])
    # what package_show answers can be sent back as it is
    shown = gdd.ok("package_show", id=created["id"])
    gdd.ok("package_update", **shown)
    invariant.assert_holds()


def test_a_gdd_cannot_withdraw_a_publication(portal):
    created = publish(portal)
    gdd = portal["gdd_hcp"]
    gdd.call("datagovma_dataset_withdraw", status=403, id=created["id"], reason="non")
    body = gdd.call("package_patch", status=409, id=created["id"], private=True)
    assert "private" in body["error"]
    shown = gdd.ok("package_show", id=created["id"])
    gdd.ok("package_update", **shown)  # a published dataset's own answer, sent back, keeps it published
    assert anonymous_reads(portal, created["name"])


def test_the_rod_withdraws_a_publication_with_a_reason_the_gdd_sees(portal, app):
    created = publish(portal)
    rod = portal["rod_hcp"]
    body = rod.call("datagovma_dataset_withdraw", status=409, id=created["id"], reason="  ")
    assert "reason" in body["error"]
    portal["rod_sante"].call("datagovma_dataset_withdraw", status=403, id=created["id"], reason="x")
    withdrawn = rod.ok("datagovma_dataset_withdraw", id=created["id"], reason="Chiffres provisoires erronés")
    assert withdrawn["publication_status"] == "withdrawn" and withdrawn["private"] is True
    assert not anonymous_reads(portal, created["name"])
    app.get(f"/dataset/{created['name']}", status=404)
    assert created["name"] not in app.get("/dataset/").body
    assert created["name"] not in app.get("/catalog.ttl").body
    seen = portal["gdd_hcp"].ok("package_show", id=created["id"])
    assert seen["review_comment"] == "Chiffres provisoires erronés"
    activities = rod.ok("package_activity_list", id=created["id"])
    assert activities[0]["data"]["package"]["review_comment"] == "Chiffres provisoires erronés"
    assert activities[0]["user_id"] == rod.user["id"]
    # withdrawn -> submitted again -> published again
    portal["gdd_hcp"].ok("datagovma_dataset_submit", id=created["id"])
    rod.ok("datagovma_dataset_publish", id=created["id"])
    assert anonymous_reads(portal, created["name"])
    invariant.assert_holds()


@pytest.mark.parametrize("change", [{"private": True}, {"publication_status": "draft"},
                                    {"publication_status": "withdrawn", "review_comment": "À revoir"}])
def test_a_rod_taking_a_publication_back_through_the_api_is_heard(portal, change):
    created = publish(portal)
    after = portal["rod_hcp"].ok("package_patch", id=created["id"], **change)
    assert after["private"] is True and after["publication_status"] != "published"
    assert not anonymous_reads(portal, created["name"])
    invariant.assert_holds()


# --- bulk actions of the producer page ----------------------------------------------------------


def test_bulk_actions_follow_the_same_rules(portal):
    rod, gdd = portal["rod_hcp"], portal["gdd_hcp"]
    org = model.Group.get("haut-commissariat-au-plan").id
    published = publish(portal)
    waiting = gdd.ok("package_create", **complete_dataset(name="en-attente"))
    gdd.ok("datagovma_dataset_submit", id=waiting["id"])
    secret = gdd.ok("package_create", **complete_dataset(name="secret", classification="secret"))

    # a GdD may not
    gdd.call("bulk_update_public", status=403, org_id=org, datasets=[waiting["id"]])
    gdd.call("bulk_update_private", status=403, org_id=org, datasets=[published["id"]])

    # nothing changes when one of them cannot be published
    body = rod.call("bulk_update_public", status=409, org_id=org, datasets=[waiting["id"], secret["id"]])
    assert "secret" in str(body["error"])
    assert not anonymous_reads(portal, "en-attente")

    rod.ok("bulk_update_public", org_id=org, datasets=[waiting["id"]])
    assert anonymous_reads(portal, "en-attente")
    assert rod.ok("package_show", id=waiting["id"])["publication_status"] == "published"

    rod.ok("bulk_update_private", org_id=org, datasets=[published["id"], waiting["id"]])
    for name in (published["name"], "en-attente"):
        assert not anonymous_reads(portal, name)
        assert rod.ok("package_show", id=name)["publication_status"] == "withdrawn"
    invariant.assert_holds()


# --- the command that finds what breaks the invariant -------------------------------------------


def test_the_check_command_reports_every_dataset_that_breaks_the_invariant(portal, cli, ckan_config):
    published = publish(portal)
    draft = portal["gdd_hcp"].ok("package_create", **complete_dataset(name="brouillon"))
    result = cli.invoke(datagovma_command, ["check"])
    assert result.exit_code == 0, result.output
    # what no action can do, a hand in the database can: the command sees it
    model.Session.execute(model.package_table.update().where(model.package_table.c.id == draft["id"])
                          .values(private=False))
    model.Session.execute(model.package_table.update().where(model.package_table.c.id == published["id"])
                          .values(extras={"publication_status": "published", "classification": "secret"}))
    model.Session.commit()
    result = cli.invoke(datagovma_command, ["check"])
    assert result.exit_code == 1, result.output
    assert "brouillon" in result.output and published["name"] in result.output


def test_what_the_command_line_publishes_obeys_the_invariant(portal, cli):
    result = cli.invoke(datagovma_command, ["load-reference"])
    assert result.exit_code == 0, result.output
    assert "example datasets created" in result.output
    assert invariant.public_names()  # the examples are published
    invariant.assert_holds()


# --- moving a dataset to another producer ------------------------------------------------------


@pytest.fixture
def rod_hcp_is_gdd_of_sante(portal):
    portal["sysadmin"].ok("organization_member_create", id="ministere-de-la-sante", username="rod-hcp",
                          role="editor")
    portal["sysadmin"].ok("organization_member_create", id="ministere-de-la-sante", username="gdd-hcp",
                          role="editor")


@pytest.mark.usefixtures("rod_hcp_is_gdd_of_sante")
def test_moving_a_dataset_to_another_producer_never_publishes_it_there(portal):
    rod = portal["rod_hcp"]
    # a ROD of one producer, editor of another, moves a draft there and asks it public at once
    own = rod.ok("package_create", **complete_dataset(name="direct-sante"))
    body = rod.call("package_patch", status=409, id=own["id"], owner_org="ministere-de-la-sante", private=False)
    assert "private" in body["error"]
    # a GdD of both producers moves a published dataset: not public under the other one
    published = publish(portal)
    moved = portal["gdd_hcp"].ok("package_patch", id=published["id"], owner_org="ministere-de-la-sante")
    assert moved["publication_status"] == "draft" and not anonymous_reads(portal, published["name"])
    # a draft of the other producer borrowed, published here, and moved back: a draft there
    borrowed = portal["gdd_sante"].ok("package_create", **complete_dataset(
        name="brouillon-sante", owner_org="ministere-de-la-sante"))
    rod.ok("package_patch", id=borrowed["id"], owner_org="haut-commissariat-au-plan")
    rod.ok("datagovma_dataset_submit", id=borrowed["id"])
    rod.ok("datagovma_dataset_publish", id=borrowed["id"])
    back = rod.ok("package_patch", id=borrowed["id"], owner_org="ministere-de-la-sante")
    assert back["publication_status"] == "draft" and not anonymous_reads(portal, "brouillon-sante")
    invariant.assert_holds()
