"""The sidebar of every page (templates/page.html): built once per page, the same HTML as core's
page.html printed after rendering it twice."""

import pytest
from ckan.lib import helpers

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import comparable_page
from .test_pages import published  # noqa: F401 - three published datasets, themes, regions

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]

PAGES = ["/", "/dataset/", "/ar/dataset/?themes=societe", "/dataset/population-regions", "/ar/dataset/budget-rabat",
         "/organization/haut-commissariat-au-plan", "/ar/organization/haut-commissariat-au-plan", "/group/societe",
         "/dataset/?regions=MA-04", "/chiffres-cles", "/organization/", "/dataset/?q=aucun-resultat-possible"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_the_same_as_with_the_sidebar_rendered_twice(app, published, monkeypatch, path):  # noqa: F811
    calls = []
    real = helpers.helper_functions["get_facet_items_dict"]

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setitem(helpers.helper_functions, "get_facet_items_dict", counted)
    ours = app.get(path).body
    once = len(calls)
    calls.clear()
    monkeypatch.setitem(helpers.helper_functions, "datagovma_rendered_once", lambda block: block())
    cores = app.get(path).body
    assert comparable_page(ours) == comparable_page(cores)
    assert 2 * once == len(calls)  # each facet list was built twice, and is built once


def test_the_dataset_page_looks_its_producer_up_once(app, published, monkeypatch):  # noqa: F811
    calls = []
    real = helpers.helper_functions["datagovma_producer"]
    monkeypatch.setitem(helpers.helper_functions, "datagovma_producer",
                        lambda org_id: calls.append(org_id) or real(org_id))
    body = app.get("/dataset/population-regions").body
    assert body.count("datagovma-producer-card") == 1 and len(calls) == 1
