"""Harvest sources publish what they harvest, so only a sysadmin or the ROD of the source's
producer creates, edits, runs or clears one (way 1 around the review: ckanext-harvest lets anyone
who may create a dataset create a source and run it). What a harvest publishes obeys the same
invariant as every other path."""

import pytest
from ckan import model

from ckanext.datagovma.harvesters.hcp import HCPHarvester

from ..harvest import jobs as h
from ..harvest.hcp_simulator import Simulator
from . import invariant

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", h.HARVEST_PLUGINS),
    pytest.mark.ckan_config("ckanext.datagovma.fetch.allowed_hosts", "127.0.0.1"),
    pytest.mark.usefixtures("portal"),
]


@pytest.fixture
def hcp():
    server = Simulator(count=3).start()
    yield server
    server.shutdown()
    server.server_close()


def source(hcp, owner="haut-commissariat-au-plan", name="hcp-statistiques"):
    return {"name": name, "title": "HCP", "url": hcp.url, "source_type": "hcp", "owner_org": owner,
            "frequency": "MANUAL"}


def test_a_gdd_cannot_create_a_harvest_source(portal, hcp):
    body = portal["gdd_hcp"].call("harvest_source_create", status=403, **source(hcp))
    assert body["success"] is False
    assert model.Session.query(model.Package).filter_by(type="harvest").count() == 0


def test_the_rod_of_another_producer_cannot_create_a_source_for_this_one(portal, hcp):
    portal["rod_sante"].call("harvest_source_create", status=403, **source(hcp))


def test_only_a_sysadmin_or_the_producers_rod_runs_edits_or_clears_a_source(portal, hcp):
    created = portal["rod_hcp"].ok("harvest_source_create", **source(hcp))
    for who in ("gdd_hcp", "rod_sante", "gdd_sante"):
        portal[who].call("harvest_job_create", status=403, source_id=created["id"])
        portal[who].call("harvest_source_update", status=403, **dict(source(hcp), id=created["id"], title="X"))
        portal[who].call("harvest_source_clear", status=403, id=created["id"])
        portal[who].call("harvest_source_reindex", status=403, id=created["id"])
        portal[who].call("harvest_source_delete", status=403, id=created["id"])
    job = portal["rod_hcp"].ok("harvest_job_create", source_id=created["id"], run=False)
    assert job["source_id"] == created["id"]
    portal["rod_hcp"].ok("harvest_source_update", **dict(source(hcp), id=created["id"], title="HCP (API)"))
    portal["sysadmin"].ok("harvest_source_clear", id=created["id"])


def test_a_gdd_cannot_turn_a_source_into_a_dataset_or_back(portal, hcp):
    created = portal["rod_hcp"].ok("harvest_source_create", **source(hcp))
    portal["gdd_hcp"].call("package_patch", status=403, id=created["id"], type="dataset")
    body = portal["rod_hcp"].call("package_patch", status=409, id=created["id"], type="dataset")
    assert "type" in body["error"]


def test_what_a_harvest_publishes_obeys_the_invariant(portal, hcp):
    results = h.first_run(HCPHarvester(), hcp.url, "hcp")
    assert results and all(r["state"] == "COMPLETE" for r in results.values())
    for result in results.values():
        dataset = result["dataset"]
        assert dataset["publication_status"] == "published" and dataset["private"] is False
    invariant.assert_holds()
    # the producer's ROD answers for a harvested dataset as for any other: they can withdraw it
    name = next(iter(results.values()))["dataset"]["name"]
    portal["rod_hcp"].ok("datagovma_dataset_withdraw", id=name, reason="Série révisée par le HCP")
    assert portal["anonymous"].call("package_show", status=None, id=name)["success"] is False
    invariant.assert_holds()


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1\\@example.org/",
                                 "http://100.64.0.1/", "file:///etc/passwd", "http://[::ffff:127.0.0.1]/"])
def test_a_source_address_the_portal_would_not_fetch_is_refused_when_saved(portal, hcp, url):
    body = portal["rod_hcp"].call("harvest_source_create", status=409, **dict(source(hcp), url=url))
    assert body["error"]["url"], body
    assert model.Session.query(model.Package).filter_by(type="harvest").count() == 0
    created = portal["rod_hcp"].ok("harvest_source_create", **source(hcp))
    body = portal["rod_hcp"].call("harvest_source_update", status=409, **dict(source(hcp), id=created["id"], url=url))
    assert body["error"]["url"]
    assert portal["rod_hcp"].ok("harvest_source_show", id=created["id"])["url"] == hcp.url


def test_a_withdrawn_datasets_harvested_record_is_not_public(portal, hcp):
    results = h.first_run(HCPHarvester(), hcp.url, "hcp")
    result = next(iter(results.values()))
    portal["rod_hcp"].ok("datagovma_dataset_withdraw", id=result["dataset"]["name"], reason="Série révisée")
    source_id = model.Session.query(model.Package.id).filter_by(type="harvest").scalar()
    for who in ("anonymous", "gdd_sante"):
        portal[who].call("harvest_object_show", status=403, id=result["obj_id"])
    for who in ("anonymous", "gdd_sante", "gdd_hcp"):
        portal[who].call("harvest_object_list", status=403, source_id=source_id)
    # who may read the dataset (its producer's people) may read what it was made from
    assert portal["gdd_hcp"].ok("harvest_object_show", id=result["obj_id"])
    assert portal["rod_hcp"].ok("harvest_object_list", source_id=source_id)
    # the record of a published dataset stays as readable as the dataset
    other = [r for r in results.values() if r["obj_id"] != result["obj_id"]][0]
    assert portal["anonymous"].ok("harvest_object_show", id=other["obj_id"])


@pytest.mark.ckan_config("ckanext.datagovma.harvest.local_edits", "overwrite")
def test_a_harvest_never_undoes_a_withdrawal(portal, hcp):
    first = h.first_run(HCPHarvester(), hcp.url, "hcp")
    name = first["I1000"]["dataset"]["name"]
    portal["rod_hcp"].ok("datagovma_dataset_withdraw", id=name, reason="Série en cours de révision")
    hcp.catalogue.change("I1000")
    second = h.rerun(HCPHarvester(), first)
    assert second["I1000"]["report_status"] == "updated"
    after = portal["sysadmin"].ok("package_show", id=name)
    assert after["publication_status"] == "withdrawn" and after["private"] is True
    assert portal["anonymous"].call("package_show", status=None, id=name)["success"] is False
    invariant.assert_holds()
