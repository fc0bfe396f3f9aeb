"""Rebuilding the search index from PostgreSQL, as an operator does after an upgrade or a restore:
`ckan search-index rebuild`, and `rebuild-fast`, which forks one indexing process per core."""

import json
import os
import subprocess
import sys
import urllib.request

import pytest
from ckan import model

from ..conftest import PORTAL_PLUGINS
from ..harvest.workers import write_ini
from ..portal_fixtures import complete_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("portal"),
]
COUNT = 24


@pytest.fixture
def datasets(portal):
    """COUNT datasets of two producers, then an empty index (as after a restore)."""
    for n in range(COUNT):
        producer = ("hcp", "haut-commissariat-au-plan") if n % 2 else ("sante", "ministere-de-la-sante")
        portal["sysadmin"].ok("package_create", **complete_dataset(
            name=f"indicateur-{n:02d}", owner_org=producer[1],
            title_translated={"fr": f"Indicateur numéro {n}", "ar": f"مؤشر رقم {n}"}))
    model.Session.remove()
    expected = {pkg.id: pkg.name for pkg in model.Session.query(model.Package).filter_by(state="active")}
    assert len(expected) == COUNT
    from ckan.lib.search import clear_all

    clear_all()
    return expected


def indexed(service_url):
    url = f"{service_url}/select?q=*:*&fl=id,name,title&rows=1000&wt=json"
    with urllib.request.urlopen(url) as resp:
        return json.load(resp)["response"]["docs"]


def rebuild(request, tmp_path, command):
    ini = write_ini(str(tmp_path / "rebuild.ini"), request.config.option.ckan_ini, PORTAL_PLUGINS)
    return subprocess.run([os.path.join(os.path.dirname(sys.executable), "ckan"), "-c", ini, "search-index", command],
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", ["rebuild", "rebuild-fast"])
def test_a_rebuild_indexes_every_dataset_once_with_its_own_data(request, tmp_path, search_service, datasets, command):
    # rebuild-fast's forked processes used to share CKAN's database connection: they read each
    # other's rows and died ("error with status PGRES_TUPLES_OK"), leaving half the index empty
    result = rebuild(request, tmp_path, command)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    docs = indexed(search_service.url)
    assert sorted(doc["id"] for doc in docs) == sorted(datasets)
    assert {doc["id"]: doc["name"] for doc in docs} == datasets
    titles = {doc["name"]: doc["title"] for doc in docs}
    assert titles["indicateur-07"] == "Indicateur numéro 7"
