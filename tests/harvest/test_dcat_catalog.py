"""The DCAT harvester against a local, paged Turtle catalogue of a region's portal (127.0.0.1
only), read through the portal's DCAT profile: first run, unchanged re-run, one changed record,
removed records, edits made in the portal, and every fault."""

import json

import pytest

from ckanext.datagovma.harvesters.dcat_catalog import DCATCatalogHarvester

from . import jobs as h
from .servers import DCATCatalogue

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", h.HARVEST_PLUGINS),
    pytest.mark.ckan_config("ckanext.datagovma.fetch.allowed_hosts", "127.0.0.1"),
    pytest.mark.usefixtures("portal"),
]
COUNT = 25
CONFIG = json.dumps({"default_licence": "odc-odbl"})


@pytest.fixture
def catalogue(served):
    return served(DCATCatalogue(COUNT))


def harvest(url, config=CONFIG, saved_url=None):
    return h.first_run(DCATCatalogHarvester(), url + "/catalog.ttl", "datagovma_dcat", config, saved_url=saved_url)


def rerun(results):
    return h.rerun(DCATCatalogHarvester(), results)


def guid(catalogue, index):
    return f"{catalogue.url}/dataset/{catalogue.datasets[index]['identifier']}"


def test_a_first_run_reads_every_page_through_the_profile(catalogue, portal):
    results = harvest(catalogue.url)
    assert len(results) == COUNT
    assert h.statuses(results) == {"added": COUNT}, h.object_errors()
    hcp = results[guid(catalogue, 0)]["dataset"]
    assert hcp["title_translated"] == {"fr": catalogue.datasets[0]["title_fr"], "ar": "مؤشر الأثمان عند الاستهلاك"}
    assert hcp["notes_translated"]["fr"] == catalogue.datasets[0]["description_fr"]
    assert hcp["organization"]["name"] == "haut-commissariat-au-plan"
    assert hcp["themes"] == ["finance"]
    assert (hcp["spatial_coverage"], hcp["regions"]) == ("regional", ["MA-09"])
    assert hcp["license_id"] == "odc-odbl" and hcp["publication_status"] == "published"
    assert [(r["format"], r["url"]) for r in hcp["resources"]] == [("CSV", "https://opendata.soussmassa.ma/files/0.csv")]
    region = results[guid(catalogue, 1)]["dataset"]  # a publisher that is none of our producers
    assert region["organization"]["name"] == "conseil-regional-souss-massa"
    assert sum("new producer created: conseil-regional-souss-massa" in m for m in h.object_errors()) == 1
    assert results[guid(catalogue, 7)]["dataset"]["license_id"] == "odc-odbl"  # no licence: the source's default
    found = portal["anonymous"].ok("package_search", fq="regions:MA-09", rows=0)["count"]
    assert found == COUNT


@pytest.mark.parametrize("path", ["/catalog.jsonld", "/catalog.rdf"])
def test_json_ld_and_rdf_xml_catalogues_are_read_the_same_way(catalogue, path):
    results = h.first_run(DCATCatalogHarvester(), catalogue.url + path, "datagovma_dcat", CONFIG)
    assert h.statuses(results) == {"added": COUNT}, h.object_errors()
    dataset = results[guid(catalogue, 0)]["dataset"]
    assert dataset["title_translated"]["ar"] == "مؤشر الأثمان عند الاستهلاك"
    assert (dataset["themes"], dataset["regions"]) == (["finance"], ["MA-09"])


def test_a_dataset_without_licence_is_refused_without_a_default(catalogue):
    results = harvest(catalogue.url, config="")
    assert results[guid(catalogue, 7)]["state"] == "ERROR"
    assert "states no licence" in " ".join(e.message for e in results[guid(catalogue, 7)]["errors"])
    assert h.statuses(results)["added"] == COUNT - 1


def test_a_second_run_without_change_updates_nothing(catalogue):
    first = harvest(catalogue.url)
    second = rerun(first)
    assert h.statuses(second) == {"not modified": COUNT}


def test_one_changed_record_updates_exactly_that_dataset(catalogue):
    first = harvest(catalogue.url)
    before = first[guid(catalogue, 12)]["dataset"]
    catalogue.change(12, "Établissements de santé — révisé")
    second = rerun(first)
    assert h.statuses(second) == {"not modified": COUNT - 1, "updated": 1}
    after = second[guid(catalogue, 12)]["dataset"]
    assert after["title_translated"]["fr"] == "Établissements de santé — révisé"
    assert (after["id"], after["name"]) == (before["id"], before["name"])


def test_a_removed_record_is_deleted_but_a_mass_disappearance_is_held(catalogue, portal):
    first = harvest(catalogue.url)
    removed = catalogue.datasets[3]
    catalogue.hidden = {removed["identifier"]}
    second = rerun(first)
    assert second[guid(catalogue, 3)]["report_status"] == "deleted"
    assert portal["anonymous"].ok("package_search", rows=0)["count"] == COUNT - 1
    catalogue.hidden = {d["identifier"] for d in catalogue.datasets[:15]}
    rerun(second)
    assert any("deletions held for review, nothing deleted" in m for m in h.gather_errors())
    assert portal["anonymous"].ok("package_search", rows=0)["count"] == COUNT - 1


@pytest.mark.parametrize("fault", ["500", "truncated", "invalid-json", "timeout"])
@pytest.mark.ckan_config("ckanext.datagovma.fetch.timeout", 1)
def test_a_page_that_fails_is_recorded_and_nothing_is_lost(catalogue, portal, fault):
    first = harvest(catalogue.url)
    catalogue.slow_seconds = 3
    catalogue.page_faults = {2: fault}
    rerun(first)
    assert h.gather_errors(), fault
    assert portal["anonymous"].ok("package_search", rows=0)["count"] == COUNT


def test_a_source_that_is_down_is_recorded(portal):
    assert harvest("http://127.0.0.1:9") == {}
    assert h.gather_errors()


@pytest.mark.parametrize("policy", ["keep", "overwrite"])
def test_a_dataset_edited_in_the_portal_follows_the_local_edits_policy(catalogue, portal, ckan_config, policy):
    ckan_config["ckanext.datagovma.harvest.local_edits"] = policy
    first = harvest(catalogue.url)
    name = first[guid(catalogue, 9)]["dataset"]["name"]
    portal["sysadmin"].ok("package_patch", id=name, tag_string="souss-massa,corrige")
    catalogue.change(9, "Titre changé à la source")
    second = rerun(first)
    dataset = portal["sysadmin"].ok("package_show", id=name)
    if policy == "keep":
        assert second[guid(catalogue, 9)]["report_status"] == "not modified"
        assert "corrige" in {t["name"] for t in dataset["tags"]}
        assert any(f"{name} was edited in the portal" in m for m in h.object_errors())
    else:
        assert second[guid(catalogue, 9)]["report_status"] == "updated"
        assert dataset["title_translated"]["fr"] == "Titre changé à la source"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "/etc/passwd", "ftp://127.0.0.1/catalog.ttl"])
def test_only_http_sources_are_read(url):
    results = h.first_run(DCATCatalogHarvester(), url, "datagovma_dcat", CONFIG, saved_url=h.SAVED_URL)
    assert results == {}  # saved before the rule: refused when it runs
    assert any("http" in m for m in h.gather_errors()), h.gather_errors()


def test_local_and_private_sources_are_refused_unless_allowed(catalogue, ckan_config):
    ckan_config["ckanext.datagovma.fetch.allowed_hosts"] = []
    assert harvest(catalogue.url, saved_url=h.SAVED_URL) == {}
    assert any("local, private or reserved address" in m for m in h.gather_errors())
    assert catalogue.requests == 0
