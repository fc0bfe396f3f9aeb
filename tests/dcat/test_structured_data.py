"""The schema.org JSON-LD in each dataset page's head (for search engines): ckanext-dcat's own, page
after page, now that the portal finds its profiles once per process."""

import json
import re

import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.compare import isomorphic

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import publish

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]


@pytest.fixture
def dataset(portal):
    return portal["anonymous"].ok("package_show", id=publish(portal)["id"])


def json_ld(text):
    return Graph().parse(data=text, format="json-ld")


def page_json_ld(body):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert match, "no JSON-LD in the page"
    return json_ld(match.group(1))


def test_dataset_pages_carry_ckanext_dcats_json_ld(app, dataset):
    from ckanext.dcat.helpers import structured_data as dcat_structured_data

    with app.flask_app.test_request_context():
        expected = json_ld(dcat_structured_data(dataset))
    for _ in range(2):  # the second page uses the profiles found for the first
        page = page_json_ld(app.get("/dataset/population-legale-regions-2024").body)
        assert isomorphic(page, expected)
    schema = Namespace("http://schema.org/")
    assert (None, schema.name, Literal("Population légale des régions")) in page


def test_the_arabic_page_carries_ckanext_dcats_json_ld_with_its_own_addresses(app, dataset):
    from ckanext.dcat.helpers import structured_data as dcat_structured_data

    french = page_json_ld(app.get("/dataset/population-legale-regions-2024").body)
    arabic = page_json_ld(app.get("/ar/dataset/population-legale-regions-2024").body)
    with app.flask_app.test_request_context(environ_overrides={"CKAN_LANG": "ar", "CKAN_LANG_IS_DEFAULT": False}):
        expected = json_ld(dcat_structured_data(dataset))
    assert isomorphic(arabic, expected)
    assert not isomorphic(arabic, french)  # the dataset's address is the Arabic page's


def test_the_json_ld_follows_the_dataset_and_the_site_title(app, dataset, portal):
    schema = Namespace("http://schema.org/")
    path = "/dataset/population-legale-regions-2024"
    page_json_ld(app.get(path).body)  # kept for this version of the dataset
    portal["gdd_hcp"].ok("package_patch", id=dataset["id"],
                         title_translated={"fr": "Population légale 2024", "ar": "السكان القانونيون 2024"})
    page = page_json_ld(app.get(path).body)
    assert (None, schema.name, Literal("Population légale 2024")) in page
    assert (None, schema.name, Literal("Population légale des régions")) not in page
    portal["sysadmin"].ok("config_option_update", **{"ckan.site_title": "Portail national des données ouvertes"})
    page = page_json_ld(app.get(path).body)
    assert (None, schema.name, Literal("Portail national des données ouvertes")) in page


def test_a_dataset_with_many_resources_gets_ckanext_dcats_json_ld_too(app, portal):
    resources = [{"url": f"http://127.0.0.1/serie-{n}.csv", "format": "csv",
                  "name_translated": {"fr": f"Série statistique régionale numéro {n}", "ar": f"سلسلة {n}"}}
                 for n in range(120)]
    created = publish(portal, name="cent-vingt-series", resources=resources)
    from ckanext.dcat.helpers import structured_data as dcat_structured_data

    dataset = portal["anonymous"].ok("package_show", id=created["id"])
    assert len(json.dumps(dataset)) > 32_000  # not kept: serialised at each page
    with app.flask_app.test_request_context():
        expected = json_ld(dcat_structured_data(dataset))
    assert isomorphic(page_json_ld(app.get("/dataset/cent-vingt-series").body), expected)
