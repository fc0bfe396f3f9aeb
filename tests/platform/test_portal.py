"""The portal as `make run` configures it: plugins, the sysadmin's API, and the pages a visitor opens."""

import pytest

from ..conftest import PORTAL_PLUGINS

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]


def test_status_show_lists_the_portal_plugins(app):
    result = app.get("/api/3/action/status_show").json["result"]
    assert result["ckan_version"] == "2.12.0"
    for plugin in PORTAL_PLUGINS.split():
        assert plugin in result["extensions"]


def test_a_sysadmin_publishes_and_a_visitor_finds_the_dataset(app, sysadmin_headers):
    org = app.post("/api/3/action/organization_create", headers=sysadmin_headers,
                   json={"name": "hcp", "title_translated": {"fr": "Haut-Commissariat au Plan"}})
    assert org.status_code == 200, org.body
    created = app.post("/api/3/action/package_create", headers=sysadmin_headers, json={
        "name": "population-legale-2024", "owner_org": "hcp", "themes": ["societe"],
        "title_translated": {"fr": "Population légale des régions 2024", "ar": "السكان القانونيون 2024"},
        "notes_translated": {"fr": "Résultats du recensement général de la population"},
        "publication_status": "published",
        "resources": [{"url": "http://127.0.0.1/population.csv", "format": "CSV",
                       "name_translated": {"fr": "Tableau"}}],
    })
    assert created.status_code == 200, created.body

    found = app.get("/api/3/action/package_search", query_string={"q": "recensement régions"}).json["result"]
    assert [d["name"] for d in found["results"]] == ["population-legale-2024"]
    by_facet = app.get("/api/3/action/package_search",
                       query_string={"fq": 'organization:"hcp"', "facet.field": '["res_format"]'}).json["result"]
    assert by_facet["count"] == 1
    assert by_facet["search_facets"]["res_format"]["items"][0]["name"] == "CSV"

    page = app.get("/dataset/population-legale-2024")
    assert page.status_code == 200
    assert "Population légale des régions 2024" in page.body
    for url in ("/", "/dataset/", "/organization/", "/organization/hcp", "/group/"):
        assert app.get(url).status_code == 200, url
    listing = app.get("/dataset/", query_string={"q": "population"})
    assert "population-legale-2024" in listing.body


def test_a_search_syntax_error_is_a_clear_error_not_a_500(app):
    # Stock CKAN maps Solr's syntax errors to "Search Error" (409) and bad sorts to "Search Query
    # Error" (400); the service answers as Solr does, so both paths are CKAN's own.
    resp = app.get("/api/3/action/package_search", query_string={"q": "title:(unbalanced"}, status=409)
    assert resp.json["error"]["__type"] == "Search Error"
    assert "unbalanced parenthesis" in resp.json["error"]["message"]
    resp = app.get("/api/3/action/package_search", query_string={"sort": "title_string"}, status=400)
    assert resp.json["error"]["__type"] == "Search Query Error"
    page = app.get("/dataset/", query_string={"q": "title:(unbalanced"})
    assert page.status_code == 200
    assert "error" in page.body.lower()
