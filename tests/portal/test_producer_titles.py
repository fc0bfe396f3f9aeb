"""A producer's title in the reader's language wherever its pages and its datasets' pages name it:
the window title and breadcrumb of its page, the breadcrumb of its datasets and their resources
(core showed the French title on Arabic pages), French when it has no Arabic title."""

import lxml.html
import pytest

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import complete_dataset, publish

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]

HCP = {"fr": "Haut Commissariat Au Plan", "ar": "المندوبية السامية للتخطيط"}


@pytest.fixture
def dataset(portal):
    portal["sysadmin"].ok("organization_patch", id="haut-commissariat-au-plan", title_translated=HCP)
    # a producer named in French only
    portal["sysadmin"].ok("organization_patch", id="ministere-de-la-sante",
                          title_translated={"fr": "Ministère de la Santé"})
    from ckanext.datagovma import portal as portal_module

    portal_module.reset_kept()  # producers' names are kept for five minutes
    return publish(portal, name="population-regions")


def page(app, url):
    response = app.get(url)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.body)


def breadcrumb(tree):
    return [li.text_content().strip() for li in tree.xpath("//ol[contains(@class, 'breadcrumb')]/li")]


@pytest.mark.parametrize("lang, prefix", [("fr", ""), ("ar", "/ar")])
def test_a_producers_page_names_it_in_the_readers_language(app, dataset, lang, prefix):
    tree = page(app, f"{prefix}/organization/haut-commissariat-au-plan")
    producers = {"fr": "Producteurs", "ar": "المنتجون"}[lang]  # as the header's navigation says
    assert tree.findtext(".//title").startswith(f"{HCP[lang]} - {producers} - ")
    assert breadcrumb(tree)[-2:] == [producers, HCP[lang]]
    assert tree.xpath("//ol[contains(@class, 'breadcrumb')]/li[@class='active']/a")[0].get("title") == HCP[lang]
    assert tree.xpath("//*[@id='datagovma-producer-title']/a")[0].text_content() == HCP[lang]


@pytest.mark.parametrize("lang, prefix", [("fr", ""), ("ar", "/ar")])
def test_a_datasets_pages_name_its_producer_in_the_readers_language(app, dataset, lang, prefix):
    resource = dataset["resources"][0]["id"]
    for url in (f"{prefix}/dataset/population-regions", f"{prefix}/dataset/population-regions/resource/{resource}"):
        crumbs = breadcrumb(page(app, url))
        assert crumbs[1:3] == [{"fr": "Producteurs", "ar": "المنتجون"}[lang], HCP[lang]], (url, crumbs)
        assert crumbs[3] == {"fr": "Population légale des régions", "ar": "السكان القانونيون للجهات"}[lang]


def test_a_producer_without_an_arabic_title_is_named_in_french_on_arabic_pages(app, portal, dataset):
    created = portal["gdd_sante"].ok("package_create", **complete_dataset(
        name="vaccination", owner_org="ministere-de-la-sante",
        rod_email="rod@sante.gov.ma", gdd_email="gdd@sante.gov.ma"))
    portal["gdd_sante"].ok("datagovma_dataset_submit", id=created["id"])
    portal["rod_sante"].ok("datagovma_dataset_publish", id=created["id"])
    assert breadcrumb(page(app, "/ar/organization/ministere-de-la-sante"))[-1] == "Ministère de la Santé"
    assert breadcrumb(page(app, "/ar/dataset/vaccination"))[2] == "Ministère de la Santé"


def test_pages_without_a_dataset_keep_cores_breadcrumb(app, dataset):
    """Pages of package/base.html without a dataset (the search page) keep core's breadcrumb."""
    assert breadcrumb(page(app, "/ar/dataset/"))[-1] == "مجموعات البيانات"
