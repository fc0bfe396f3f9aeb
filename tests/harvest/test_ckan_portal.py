"""The CKAN-portal harvester against a local CKAN 2.9 Action API replaying data.gov.ma-shaped
records (127.0.0.1 only): first run, unchanged re-run, one changed record, removed records,
edits made in the portal, and every fault."""

import json

import pytest

from ckanext.datagovma.harvesters.ckan_portal import CKANPortalHarvester

from . import jobs as h
from .servers import CKANPortal

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", h.HARVEST_PLUGINS),
    pytest.mark.ckan_config("ckanext.datagovma.fetch.allowed_hosts", "127.0.0.1"),
    pytest.mark.usefixtures("portal"),
]
COUNT = 24


@pytest.fixture
def remote(served):
    return served(CKANPortal(COUNT))


def harvest(url, config="", saved_url=None):
    return h.first_run(CKANPortalHarvester(), url, "datagovma_ckan", config, saved_url=saved_url)


def rerun(results):
    return h.rerun(CKANPortalHarvester(), results)


def test_a_first_run_maps_records_onto_producers_themes_and_licences(remote, portal):
    results = harvest(remote.url)
    assert len(results) == COUNT and remote.requests == 3, h.gather_errors()  # 10 a page: the harvester pages
    assert h.statuses(results) == {"added": COUNT}, h.object_errors()
    flat = results[remote.records[0]["id"]]["dataset"]  # data.gov.ma's title_fr/title_ar/notes_ar
    assert flat["name"] == remote.records[0]["name"]
    assert flat["title_translated"] == {"fr": remote.records[0]["title_fr"], "ar": remote.records[0]["title_ar"]}
    assert flat["notes_translated"]["ar"] == remote.records[0]["notes_ar"]
    assert flat["organization"]["name"] == "haut-commissariat-au-plan"  # "hcp" there, by title here
    assert flat["license_id"] == "odc-odbl" and flat["frequency"] == "annual"
    assert flat["publication_status"] == "published" and flat["private"] is False
    assert flat["themes"] == ["societe"]  # no group at the source: the source's default theme
    fluent = results[remote.records[1]["id"]]["dataset"]  # title_translated / notes_translated
    assert fluent["title_translated"] == {"fr": remote.records[1]["title"], "ar": "الميزانية المواطنة"}
    assert fluent["organization"]["name"] == "ministere-de-l-economie-et-des-finances"
    assert fluent["themes"] == ["sante"] and fluent["license_id"] == "cc-by"
    assert [r["url"] for r in fluent["resources"]] == [r["url"] for r in remote.records[1]["resources"]]
    assert {r["format"] for r in fluent["resources"]} == {"XLSX", "CSV"}
    assert all(r.get("url_type") in (None, "") for r in fluent["resources"])  # links, not uploads
    assert results[remote.records[3]["id"]]["dataset"]["license_id"] == "cc-by"  # "CC-BY-4.0"
    assert results[remote.records[6]["id"]]["dataset"]["themes"] == ["finance"]  # "Économie et finance"
    # An organization and a group that are none of ours: created, and reported on the job.
    ports = results[remote.records[2]["id"]]["dataset"]
    assert ports["organization"]["name"] == "anp"
    producer = portal["anonymous"].ok("organization_show", id="anp")
    assert producer["title_translated"] == {"fr": "Agence Nationale des Ports", "ar": "الوكالة الوطنية للموانئ"}
    assert "logistique-portuaire" in {g["name"] for g in ports["groups"]}
    assert ports["themes"] == ["societe"]
    assert portal["anonymous"].ok("package_search", q="organization:anp", rows=0)["count"] == COUNT // 3
    notices = h.object_errors()
    assert sum("new producer created: anp" in m for m in notices) == 1
    assert sum("new group created: logistique-portuaire" in m for m in notices) == 1
    found = portal["anonymous"].ok("package_search", q="Trafic portuaire", rows=0)["count"]
    assert found == sum("Trafic portuaire" in r["title"] for r in remote.records)


def test_a_second_run_without_change_updates_nothing(remote):
    first = harvest(remote.url)
    second = rerun(first)
    assert h.statuses(second) == {"not modified": COUNT}


def test_one_changed_record_updates_exactly_that_dataset(remote):
    first = harvest(remote.url)
    before = first[remote.records[4]["id"]]["dataset"]
    remote.change(4, "Recettes fiscales révisées")
    second = rerun(first)
    assert h.statuses(second) == {"not modified": COUNT - 1, "updated": 1}
    after = second[remote.records[4]["id"]]["dataset"]
    assert after["title_translated"]["fr"] == "Recettes fiscales révisées"
    assert (after["id"], after["name"]) == (before["id"], before["name"])
    assert [r["id"] for r in after["resources"]] == [r["id"] for r in before["resources"]]


def test_a_removed_record_is_deleted_but_a_mass_disappearance_is_held(remote, portal):
    first = harvest(remote.url)
    gone = remote.records[5]
    remote.hidden = {gone["id"]}
    second = rerun(first)
    assert second[gone["id"]]["report_status"] == "deleted"
    assert portal["sysadmin"].ok("package_show", id=gone["name"])["state"] == "deleted"
    remote.hidden = {r["id"] for r in remote.records}  # the source answers an empty catalogue
    rerun(second)
    assert any("deletions held for review, nothing deleted" in m for m in h.gather_errors())
    assert portal["anonymous"].ok("package_search", rows=0)["count"] == COUNT - 1, h.gather_errors()
    assert portal["anonymous"].ok("package_search", q="organization:anp", rows=0)["count"] == COUNT // 3 - 1


@pytest.mark.parametrize("fault", ["500", "invalid-json", "truncated", "timeout"])
@pytest.mark.ckan_config("ckanext.datagovma.fetch.timeout", 1)
def test_a_catalogue_that_fails_is_recorded_and_nothing_is_lost(remote, portal, fault):
    first = harvest(remote.url)
    remote.slow_seconds = 3
    remote.fault = (fault, 10)  # the second page fails
    second = rerun(first)
    assert second == {}
    assert any("could not be read (from 10)" in m for m in h.gather_errors()), h.gather_errors()
    assert portal["anonymous"].ok("package_search", rows=0)["count"] >= COUNT


def test_a_source_that_is_down_is_recorded(portal):
    assert harvest("http://127.0.0.1:9") == {}
    assert any("could not be read" in m for m in h.gather_errors())


def test_bad_records_among_many_are_recorded_and_the_others_imported(remote):
    closed = dict(remote.records[0], id="closed", name="budget-interne", license_id="other-closed")
    untitled = dict(remote.records[0], id="untitled", name="sans-titre", title="", title_fr="", title_ar="",
                    title_translated={})
    odd = dict(remote.records[0], id="odd", name="forme-inattendue", groups="finance", organization=["hcp"])
    remote.bad_records = [closed, untitled, odd, {"title": "sans identifiant"}]
    results = harvest(remote.url)
    assert results["closed"]["state"] == "ERROR"
    assert "other-closed" in results["closed"]["errors"][0].message
    assert "not one of the portal's open licences" in results["closed"]["errors"][0].message
    assert results["untitled"]["state"] == "ERROR"
    assert results["odd"]["state"] == "ERROR"
    assert "forme-inattendue: the record cannot be read" in results["odd"]["errors"][0].message
    assert any("without id or name" in m for m in h.gather_errors())
    assert h.statuses(results)["added"] == COUNT


@pytest.mark.parametrize("policy", ["keep", "overwrite"])
def test_a_dataset_edited_in_the_portal_follows_the_local_edits_policy(remote, portal, ckan_config, policy):
    ckan_config["ckanext.datagovma.harvest.local_edits"] = policy
    first = harvest(remote.url)
    record = remote.records[8]
    portal["sysadmin"].ok("package_patch", id=record["name"], notes_translated=json.dumps(
        {"fr": "Description corrigée par le ROD.", "ar": "وصف مصحح"}))
    remote.change(8, "Titre changé à la source")
    second = rerun(first)
    dataset = portal["sysadmin"].ok("package_show", id=record["name"])
    if policy == "keep":
        assert second[record["id"]]["report_status"] == "not modified"
        assert dataset["notes_translated"]["fr"] == "Description corrigée par le ROD."
        assert dataset["title_translated"]["fr"] != "Titre changé à la source"
        assert any(f"{record['name']} was edited in the portal" in m for m in h.object_errors())
    else:
        assert second[record["id"]]["report_status"] == "updated"
        assert dataset["title_translated"]["fr"] == "Titre changé à la source"
    # Datasets nobody touched are not affected by the policy.
    assert h.statuses(second).get("not modified", 0) >= COUNT - 1


def test_local_and_private_sources_are_refused_unless_allowed(remote, ckan_config):
    ckan_config["ckanext.datagovma.fetch.allowed_hosts"] = []
    assert harvest(remote.url, saved_url=h.SAVED_URL) == {}
    assert any("local, private or reserved address" in m for m in h.gather_errors())
    assert remote.requests == 0


def test_the_source_configuration_is_validated():
    harvester = CKANPortalHarvester()
    assert harvester.validate_config(json.dumps({"deletion_threshold": 0.5, "default_theme": "finance"}))
    for bad in ("{not json", "[0.2]", json.dumps({"deletion_threshold": -1}), json.dumps({"default_theme": "cuisine"})):
        with pytest.raises(ValueError):
            harvester.validate_config(bad)
