"""Running harvest jobs stage by stage (gather, then fetch and import of each record), as the
queue consumers would, and reading what the jobs recorded."""

from ckan import model
from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectError
from ckanext.harvest.tests.factories import HarvestJobObj, HarvestSourceObj
from ckanext.harvest.tests.lib import run_harvest_job

from ..conftest import PORTAL_PLUGINS

HARVEST_PLUGINS = PORTAL_PLUGINS + " datagovma_hcp_harvester datagovma_ckan_harvester datagovma_dcat_harvester"


# A public address, checked when a source is saved and never called: the job runs on another one.
SAVED_URL = "http://93.184.216.34/"


def first_run(harvester, url, source_type, config="", owner_org="haut-commissariat-au-plan", saved_url=None):
    """Creates a source and runs its first job; returns {guid: result} (state, report_status,
    dataset, errors). ``saved_url``: the address the source is saved with when ``url`` would be
    refused on saving (a source saved before a rule or the allow-list changed); its job runs on
    ``url``."""
    source = HarvestSourceObj(url=saved_url or url, config=config, source_type=source_type, owner_org=owner_org)
    if saved_url:
        source.url = url
        source.save()
    return run_harvest_job(HarvestJobObj(source=source, run=False), harvester)


def rerun(harvester, results):
    """Runs a new job of the source of ``results``."""
    source = HarvestObject.get(next(iter(results.values()))["obj_id"]).source
    return run_harvest_job(HarvestJobObj(source=source, run=False), harvester)


def gather_errors():
    return [e.message for e in model.Session.query(HarvestGatherError).all()]


def object_errors():
    return [e.message for e in model.Session.query(HarvestObjectError).all()]


def statuses(results):
    """{report_status: count}"""
    counts = {}
    for result in results.values():
        counts[result["report_status"]] = counts.get(result["report_status"], 0) + 1
    return counts
