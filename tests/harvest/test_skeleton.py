"""What the three harvesters share through their skeleton (harvesters/base.py), checked on each: a
harvested dataset is published into its themes' groups, and loading the harvesters, not importing
them, adds HOURLY to ckanext-harvest's frequencies."""

import json
import subprocess
import sys

import pytest
from ckanext.harvest.model import UPDATE_FREQUENCIES

from ckanext.datagovma import reference
from ckanext.datagovma.harvesters.ckan_portal import CKANPortalHarvester
from ckanext.datagovma.harvesters.dcat_catalog import DCATCatalogHarvester
from ckanext.datagovma.harvesters.hcp import HCPHarvester

from . import jobs as h
from .hcp_simulator import Simulator
from .servers import CKANPortal, DCATCatalogue

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", h.HARVEST_PLUGINS),
    pytest.mark.ckan_config("ckanext.datagovma.fetch.allowed_hosts", "127.0.0.1"),
    pytest.mark.usefixtures("portal"),
]

# source type: (harvester, local source, path of the catalogue, source configuration)
HARVESTERS = {
    "hcp": (HCPHarvester, lambda: Simulator(count=7), "", ""),
    "datagovma_ckan": (CKANPortalHarvester, lambda: CKANPortal(8), "", ""),
    "datagovma_dcat": (DCATCatalogHarvester, lambda: DCATCatalogue(8), "/catalog.ttl",
                       json.dumps({"default_licence": "odc-odbl"})),
}


@pytest.fixture
def source(request):
    harvester, make, path, config = HARVESTERS[request.param]
    server = make().start()
    yield harvester, server.url + path, request.param, config
    if isinstance(server, Simulator):
        server.shutdown()
        server.server_close()
    else:
        server.stop()


@pytest.mark.parametrize("source", list(HARVESTERS), indirect=True)
def test_a_harvested_dataset_is_published_in_the_groups_of_its_themes(source, portal):
    for slug, theme in reference.themes().items():  # as `ckan datagovma load-reference` makes them
        portal["sysadmin"].ok("group_create", name=slug, eu_data_theme=theme["eu_data_theme"],
                              title_translated={"fr": theme["name_fr"], "ar": theme["name_ar"]})
    harvester, url, source_type, config = source
    results = h.first_run(harvester(), url, source_type, config)
    assert results and h.statuses(results) == {"added": len(results)}, h.object_errors()
    for result in results.values():
        dataset = result["dataset"]
        assert dataset["publication_status"] == "published" and dataset["themes"]
        assert set(dataset["themes"]) <= {g["name"] for g in dataset["groups"]}
    theme = next(iter(results.values()))["dataset"]["themes"][0]
    listed = portal["anonymous"].ok("package_search", fq=f"groups:{theme}", rows=0)["count"]
    assert listed >= 1  # the theme's page lists it


def test_importing_the_harvesters_leaves_ckanext_harvest_alone_and_loading_them_adds_hourly():
    code = ("import ckanext.datagovma.harvesters.hcp, ckanext.datagovma.harvesters.ckan_portal, "
            "ckanext.datagovma.harvesters.dcat_catalog, ckanext.datagovma.harvesters.schedule\n"
            "from ckanext.harvest.model import UPDATE_FREQUENCIES\n"
            "print(' '.join(UPDATE_FREQUENCIES))")
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HOURLY" not in imported.split() and "DAILY" in imported.split()
    assert "HOURLY" in UPDATE_FREQUENCIES  # this process loaded the harvester plugins
