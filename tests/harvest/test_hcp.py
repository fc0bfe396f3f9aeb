"""The HCP harvester against a local simulator of the HCP API (127.0.0.1 only): first run,
unchanged re-run, one changed series, removed records, and every fault."""

import csv
import io
import json

import pytest

from ckanext.datagovma.harvesters.hcp import HCPHarvester

from . import jobs as h
from .hcp_simulator import Simulator

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", h.HARVEST_PLUGINS),
    pytest.mark.ckan_config("ckanext.datagovma.fetch.allowed_hosts", "127.0.0.1"),
    pytest.mark.usefixtures("portal"),
]
COUNT = 21  # three of each of the 7 subject groups


@pytest.fixture
def hcp():
    server = Simulator(count=COUNT).start()
    yield server
    server.shutdown()
    server.server_close()


def harvest(url, config="", saved_url=None):
    """Creates an HCP source (owned by the HCP) and runs its first job, stage by stage."""
    return h.first_run(HCPHarvester(), url, "hcp", config, saved_url=saved_url)


def rerun(results):
    return h.rerun(HCPHarvester(), results)


gather_errors = h.gather_errors


def test_a_first_run_creates_one_dataset_per_indicator(app, hcp):
    results = harvest(hcp.url)
    assert len(results) == COUNT
    assert all(r["state"] == "COMPLETE" for r in results.values()), [r["errors"] for r in results.values()]
    regional = results["I1001"]["dataset"]  # layout 1: by region
    assert regional["name"] == "hcp-i1001"
    assert regional["organization"]["name"] == "haut-commissariat-au-plan"
    assert regional["spatial_coverage"] == "regional" and len(regional["regions"]) == 12
    assert regional["themes"] == ["emploi"]
    assert regional["publication_status"] == "published" and regional["private"] is False
    national = results["I1000"]["dataset"]  # layout 0: dimensions null, annual
    assert national["spatial_coverage"] == "national" and national["frequency"] == "annual"
    assert (national["temporal_start"], national["temporal_end"]) == ("2005-01-01", "2024-12-31")
    assert national["title_translated"]["ar"] == "الناتج الداخلي الإجمالي"
    assert results["I1002"]["dataset"]["frequency"] == "monthly"
    assert {r["format"] for r in national["resources"]} == {"CSV", "JSON"}
    for resource in national["resources"]:  # each stored series opens on its preview
        views = app.get("/api/3/action/resource_view_list", query_string={"id": resource["id"]}).json["result"]
        assert views and views[0]["view_type"] == "datagovma_preview", views
    csv_resource = next(r for r in regional["resources"] if r["format"] == "CSV")
    body = app.get(csv_resource["url"].replace("http://test.ckan.net", "")).body
    rows = list(csv.DictReader(io.StringIO(body)))
    assert set(rows[0]) == {"period", "Région", "value", "unit", "footnote"}
    expected = hcp.catalogue.indicators["I1001"]["data"]
    first_key = next(iter(expected))
    raw = expected[first_key]["value"]
    row = next(
        r for r in rows if r["period"] == first_key.split("_")[-1] and r["Région"] == "Tanger-Tétouan-Al Hoceïma"
    )
    assert row["value"] == ("" if raw == "ND" else str(float(raw.replace("\u00a0", "").replace(",", "."))))
    found = app.get(
        "/api/3/action/package_search", query_string={"q": "organization:haut-commissariat-au-plan", "rows": 0}
    ).json["result"]["count"]
    assert found == COUNT


def test_a_second_run_without_change_updates_nothing(hcp):
    first = harvest(hcp.url)
    second = rerun(first)
    assert {r["report_status"] for r in second.values()} == {"not modified"}


def test_one_changed_series_updates_exactly_that_dataset_and_keeps_its_urls(hcp):
    first = harvest(hcp.url)
    before = first["I1003"]["dataset"]
    hcp.catalogue.change("I1003")
    second = rerun(first)
    assert second["I1003"]["report_status"] == "updated"
    assert [g for g, r in second.items() if r["report_status"] != "not modified"] == ["I1003"]
    after = second["I1003"]["dataset"]
    assert (after["id"], after["name"]) == (before["id"], before["name"])
    assert sorted(r["url"] for r in after["resources"]) == sorted(r["url"] for r in before["resources"])
    assert sorted(r["id"] for r in after["resources"]) == sorted(r["id"] for r in before["resources"])
    assert after["metadata_modified"] > before["metadata_modified"]


def test_a_removed_record_is_deleted_but_a_mass_disappearance_is_held(hcp, portal):
    first = harvest(hcp.url)
    hcp.catalogue.hidden = {"I1004"}
    second = rerun(first)
    assert second["I1004"]["report_status"] == "deleted"
    assert portal["sysadmin"].ok("package_show", id="hcp-i1004")["state"] == "deleted"
    assert portal["anonymous"].ok("package_search", rows=0)["count"] == COUNT - 1
    hcp.catalogue.hidden = {f"I{1000 + i}" for i in range(10)}
    rerun(second)
    assert any("deletions held for review" in message for message in gather_errors())
    assert portal["anonymous"].ok("package_show", id="hcp-i1005")["name"] == "hcp-i1005"


@pytest.mark.parametrize("fault", ["500", "invalid-json", "truncated", "timeout"])
@pytest.mark.ckan_config("ckanext.datagovma.fetch.timeout", 1)
def test_a_broken_catalogue_is_recorded_and_nothing_is_lost(hcp, portal, fault):
    first = harvest(hcp.url)
    hcp.catalogue.catalog_fault = fault
    rerun(first)
    assert gather_errors(), fault
    assert portal["anonymous"].ok("package_search", rows=0)["count"] == COUNT


def test_a_source_that_is_down_is_recorded(portal):
    results = harvest("http://127.0.0.1:9")  # nothing listens on the discard port
    assert results == {}
    assert any("could not be read" in message for message in gather_errors())


@pytest.mark.parametrize("fault", ["500", "invalid-json", "truncated", "timeout", "malformed"])
@pytest.mark.ckan_config("ckanext.datagovma.fetch.timeout", 1)
def test_one_bad_record_among_many_is_recorded_and_the_others_imported(hcp, fault):
    hcp.catalogue.record_faults = {"I1006": fault}
    results = harvest(hcp.url)
    assert results["I1006"]["state"] == "ERROR"
    assert results["I1006"]["errors"]
    assert sum(r["state"] == "COMPLETE" for r in results.values()) == COUNT - 1


@pytest.mark.parametrize("policy", ["keep", "overwrite"])
def test_a_dataset_edited_in_the_portal_follows_the_local_edits_policy(hcp, portal, ckan_config, policy):
    ckan_config["ckanext.datagovma.harvest.local_edits"] = policy
    first = harvest(hcp.url)
    portal["sysadmin"].ok("package_patch", id="hcp-i1008", tag_string="hcp,statistiques,emploi-des-jeunes")
    hcp.catalogue.change("I1008")
    second = rerun(first)
    tags = {t["name"] for t in portal["sysadmin"].ok("package_show", id="hcp-i1008")["tags"]}
    if policy == "keep":
        assert second["I1008"]["report_status"] == "not modified"
        assert "emploi-des-jeunes" in tags
        assert any("hcp-i1008 was edited in the portal" in m for m in h.object_errors())
    else:
        assert second["I1008"]["report_status"] == "updated"
        assert "emploi-des-jeunes" not in tags


def test_local_and_private_sources_are_refused_unless_allowed(hcp, ckan_config):
    ckan_config["ckanext.datagovma.fetch.allowed_hosts"] = []
    assert harvest(hcp.url, saved_url=h.SAVED_URL) == {}
    assert any("local, private or reserved address" in message for message in gather_errors())


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/catalogue", "file:///etc/passwd"])
def test_only_http_sources_are_harvested(url):
    assert harvest(url, saved_url=h.SAVED_URL) == {}  # saved before the rule: refused when it runs
    assert any("Only http and https" in m or "http et https" in m for m in gather_errors()), gather_errors()


def test_the_source_configuration_is_validated():
    harvester = HCPHarvester()
    assert harvester.validate_config(json.dumps({"deletion_threshold": 0.5}))
    with pytest.raises(ValueError):
        harvester.validate_config("{not json")
    with pytest.raises(ValueError):
        harvester.validate_config(json.dumps({"deletion_threshold": 3}))
    with pytest.raises(ValueError, match="JSON object"):
        harvester.validate_config("[0.2]")
