"""Facet links (snippets/facet_list.html): the same addresses as core's helpers build link by link,
from the page's address computed once per list (h.datagovma_current_page_url)."""

import re

import pytest
from ckan.lib import helpers

from ..conftest import PORTAL_PLUGINS
from .test_pages import published  # noqa: F401 - three published datasets, themes, regions

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]

PAGES = [
    "/dataset/", "/dataset/?q=population&themes=societe&page=2", "/ar/dataset/?regions=MA-04&sort=title_string+asc",
    "/organization/haut-commissariat-au-plan?res_format=CSV", "/ar/organization/haut-commissariat-au-plan",
    "/group/societe?regions=MA-01&regions=MA-04", "/ar/group/societe?tags=%D8%A7%D9%84%D8%B3%D9%83%D8%A7%D9%86",
    "/dataset/?_tags_limit=0&q=r%C3%A9sultats", "/ar/dataset/?_regions_limit=0&frequency=annual",
]


def facet_links(body):
    sections = re.findall(r'<nav aria-label="[^"]*">\s*<ul class="list-unstyled nav nav-simple nav-facet">.*?</nav>'
                          r'\s*<p class="module-footer">.*?</p>', body, re.S)
    return [href for section in sections for href in re.findall(r'href="([^"]*)"', section)]


@pytest.mark.parametrize("path", PAGES)
def test_facet_links_are_the_ones_core_builds(app, published, monkeypatch, path):  # noqa: F811
    ours = app.get(path).body
    links = facet_links(ours)
    assert len(links) >= 5, links
    # without the page's address given, core's add_url_param and remove_url_param build each link
    monkeypatch.setitem(helpers.helper_functions, "datagovma_current_page_url", lambda extras=None: None)
    cores = app.get(path).body
    assert links == facet_links(cores)
