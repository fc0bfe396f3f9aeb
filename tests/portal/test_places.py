"""The pages of a region, a province and a theme: the search filtered on it, headed by its name in
the reader's language (the other language beside it), with the search page's facets, sort and
pager, all of which keep the filter. /region/<code> and /province/<code> (the URIs dct:spatial
points to) lead there with a 303 when a browser asks, and still give RDF when RDF is asked."""

import lxml.html
import pytest

from ..conftest import PORTAL_PLUGINS
from .test_pages import published  # noqa: F401 - three published datasets, themes, regions

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]


def tree(app, url):
    response = app.get(url)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.body)


def listed(page):
    return sorted(a.get("href").rsplit("/", 1)[1] for a in page.xpath("//h2[contains(@class, 'dataset-heading')]/a"))


def heading(page):
    found = page.xpath("//header[@class='datagovma-search-subject']/h1")
    return found[0] if found else None


@pytest.mark.parametrize("uri, page", [("/region/MA-04", "/dataset/?regions=MA-04"),
                                       ("/ar/region/MA-04", "/ar/dataset/?regions=MA-04"),
                                       ("/province/04.421", "/dataset/?provinces=04.421")])
def test_a_places_uri_leads_a_browser_to_its_page(app, uri, page):
    response = app.get(uri, headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["Location"].endswith(page)


@pytest.mark.parametrize("lang, prefix, name, other", [
    ("fr", "", "Rabat-Salé-Kénitra", "الرباط سلا القنيطرة"),
    ("ar", "/ar", "الرباط سلا القنيطرة", "Rabat-Salé-Kénitra")])
def test_a_regions_page_lists_its_datasets_with_the_search_facets(app, published, lang, prefix, name, other):  # noqa: F811
    page = tree(app, f"{prefix}/region/MA-04")  # followed to the search filtered on the region
    assert listed(page) == ["budget-rabat", "population-regions"]  # not eau-oriental (MA-02)
    title = heading(page)
    assert title.text.strip() == name
    other_name = title.xpath("span")[0]
    assert other_name.text == other and other_name.get("lang") == ("ar" if lang == "fr" else "fr")
    head = title.getparent()
    assert head.xpath(".//code")[0].text == "MA-04" and head.xpath(".//a[contains(@href, '/region/MA-04.ttl')]")
    assert page.findtext(".//title").startswith(name + " - ")
    assert page.xpath("//ol[contains(@class, 'breadcrumb')]/li")[-1].text_content().strip() == name
    assert page.xpath("//section[contains(@class, 'module-narrow')]//h2")  # the facets
    # a new search from this page stays in the region
    assert page.xpath("//form[@id='dataset-search-form']//input[@type='hidden' and @name='regions' and @value='MA-04']")
    assert (page.get("dir") == "rtl") == (lang == "ar")


def test_a_provinces_and_a_themes_pages(app, published):  # noqa: F811
    province = tree(app, "/dataset/?provinces=04.421")
    assert heading(province).text.strip() == "Rabat"
    assert heading(province).getparent().xpath(".//code")[0].text == "04.421"
    theme = tree(app, "/dataset/?themes=societe")
    assert heading(theme).text.strip() == "Société" and not heading(theme).getparent().xpath(".//code")
    assert listed(theme) == ["eau-oriental", "population-regions"]
    assert heading(tree(app, "/ar/dataset/?themes=societe")).text.strip() == "المجتمع"


@pytest.mark.parametrize("query", ["regions=MA-99", "regions=MA-04&regions=MA-02", "themes=inconnu", "regions=",
                                   "provinces=%3Cscript%3E"])
def test_an_unknown_or_several_subjects_make_a_plain_search(app, published, query):  # noqa: F811
    page = tree(app, f"/dataset/?{query}")
    assert heading(page) is None
    assert page.findtext(".//title").startswith("Jeu")  # core's window title


def test_a_place_without_an_arabic_name_is_marked_french_on_arabic_pages(app, published):  # noqa: F811
    """Provinces have French names only: an Arabic page heads them in French, marked as such."""
    arabic = heading(tree(app, "/ar/dataset/?provinces=04.421"))
    assert arabic.text.strip() == "Rabat" and (arabic.get("lang"), arabic.get("dir")) == ("fr", "ltr")
    french = heading(tree(app, "/dataset/?provinces=04.421"))
    assert french.get("lang") is None
