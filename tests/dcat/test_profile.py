"""The Moroccan DCAT-AP profile: valid against the official DCAT-AP 3.0.1 SHACL shapes (copied into
tests/dcat/shapes/dcat-ap-3.0.1, see SOURCE.md there), read back without loss, and silent about what
is not public."""

import os

import pytest
from rdflib import Graph

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import complete_dataset

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]

SHAPES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shapes", "dcat-ap-3.0.1")


@pytest.fixture(scope="module")
def shapes():
    files = {name: os.path.join(SHAPES, name)
             for name in ("dcat-ap-SHACL.ttl", "shapes_recommended.ttl", "mdr-vocabularies.shape.ttl")}
    missing = [path for path in files.values() if not os.path.exists(path)]
    if missing:
        pytest.fail(f"The official DCAT-AP 3.0.1 shapes are missing: {', '.join(missing)} "
                    f"(see {SHAPES}/SOURCE.md for where they come from)")
    return {name: Graph().parse(path, format="turtle") for name, path in files.items()}


def validate(graph, shapes_graph):
    from pyshacl import validate as shacl

    conforms, report, text = shacl(graph, shacl_graph=shapes_graph, inference="none", allow_warnings=True)
    sh = "http://www.w3.org/ns/shacl#"
    results = []
    for result in report.subjects(predicate=None, object=None):
        severity = report.value(result, predicate=__import__("rdflib").URIRef(sh + "resultSeverity"))
        if severity is None:
            continue
        message = report.value(result, predicate=__import__("rdflib").URIRef(sh + "resultMessage"))
        path = report.value(result, predicate=__import__("rdflib").URIRef(sh + "resultPath"))
        results.append((str(severity).rsplit("#", 1)[-1], str(path), str(message)))
    return sorted(set(results))


def check_against_shapes(graph, shapes, label):
    violations = [r for r in validate(graph, shapes["dcat-ap-SHACL.ttl"]) if r[0] == "Violation"]
    warnings = validate(graph, shapes["shapes_recommended.ttl"]) + validate(graph, shapes["mdr-vocabularies.shape.ttl"])
    print(f"\n{label}: {len(violations)} violations, {len(warnings)} warnings (recommended + vocabularies)")
    for v in violations:
        print("  VIOLATION:", *v)
    for w in warnings:
        print("  warning:", *w)
    assert violations == [], violations
    return warnings


def publish(portal, **overrides):
    dataset = portal["gdd_hcp"].ok("package_create", **complete_dataset(**overrides))
    portal["gdd_hcp"].ok("datagovma_dataset_submit", id=dataset["id"])
    return portal["rod_hcp"].ok("datagovma_dataset_publish", id=dataset["id"])


def ttl(app, url, status=200):
    resp = app.get(url, status=status)
    return Graph().parse(data=resp.body, format="turtle") if status == 200 else resp


def test_a_complete_dataset_is_valid_dcat_ap(app, portal, shapes):
    dataset = publish(portal)
    graph = ttl(app, f"/dataset/{dataset['name']}.ttl")
    warnings = check_against_shapes(graph, shapes, "complete dataset")
    # what remains is inherent to a national profile (docs/dcat.md): our region/province URIs are
    # not in the EU vocabularies and have no geometry, producers are not EU corporate bodies, and
    # our own theme URI sits beside the EU data theme
    assert len(warnings) <= 18
    text = graph.serialize(format="turtle")
    assert '"Population légale des régions"@fr' in text
    assert '"السكان القانونيون للجهات"@ar' in text
    assert "http://publications.europa.eu/resource/authority/data-theme/SOCI" in text
    assert "http://publications.europa.eu/resource/authority/frequency/ANNUAL" in text
    assert "http://test.ckan.net/region/MA-01" in text
    assert "http://test.ckan.net/province/01.051" in text
    assert "https://www.iana.org/assignments/media-types/text/csv" in text
    assert "http://publications.europa.eu/resource/authority/file-type/CSV" in text
    assert "http://opendatacommons.org/licenses/odbl/1-0/" in text
    assert "mailto:gdd@hcp.ma" in text


def test_a_minimal_arabic_only_dataset_without_resources_is_valid(app, portal, shapes):
    dataset = publish(portal, name="minimal", title_translated={"ar": "بيانات"}, notes_translated={"ar": "وصف"},
                      resources=[], spatial_coverage="national", regions=[], provinces=[], frequency=None,
                      data_languages=[], temporal_start=None, temporal_end=None, tag_string="")
    graph = ttl(app, f"/dataset/{dataset['name']}.ttl")
    check_against_shapes(graph, shapes, "minimal dataset")
    text = graph.serialize(format="turtle")
    assert '"بيانات"@ar' in text
    assert "http://publications.europa.eu/resource/authority/country/MAR" in text


def test_a_catalog_page_is_valid_and_holds_only_public_datasets(app, portal, shapes):
    public = publish(portal)
    draft = portal["gdd_hcp"].ok("package_create", **complete_dataset(name="brouillon"))
    in_review = portal["gdd_hcp"].ok("package_create", **complete_dataset(name="en-revue"))
    portal["gdd_hcp"].ok("datagovma_dataset_submit", id=in_review["id"])
    graph = ttl(app, "/catalog.ttl")
    check_against_shapes(graph, shapes, "catalog page")
    text = graph.serialize(format="turtle")
    assert public["id"] in text
    for hidden in (draft, in_review):
        assert hidden["name"] not in text and hidden["id"] not in text
        for fmt in ("ttl", "rdf", "jsonld", "xml"):
            assert app.get(f"/dataset/{hidden['name']}.{fmt}").status_code in (403, 404)
        assert app.get(f"/dataset/{hidden['name']}").status_code in (403, 404)


def test_the_profile_reads_back_what_it_writes_in_both_languages(app, portal):
    from ckanext.dcat.processors import RDFParser

    dataset = publish(portal)
    original = portal["sysadmin"].ok("package_show", id=dataset["id"])
    body = app.get(f"/dataset/{dataset['name']}.ttl").body
    parser = RDFParser(profiles=["euro_dcat_ap_3", "datagovma_dcat_ap"])
    parser.parse(body, _format="turtle")
    parsed = next(parser.datasets())
    for field in ("title_translated", "notes_translated", "themes", "regions", "provinces", "spatial_coverage",
                  "frequency", "license_id", "gdd_name", "gdd_email", "owner_org"):
        expected = original[field] if field != "owner_org" else original["organization"]["name"]
        assert parsed.get(field) == expected, field
    assert sorted(parsed["data_languages"]) == sorted(original["data_languages"])
    assert parsed["temporal_start"][:10] == original["temporal_start"]
    assert parsed["temporal_end"][:10] == original["temporal_end"]
    assert sorted(t["name"] for t in parsed["tags"]) == sorted(t["name"] for t in original["tags"])
    assert parsed["resources"][0]["name_translated"] == original["resources"][0]["name_translated"]
    assert parsed["resources"][0]["format"] == "CSV"


def test_schema_org_json_ld_is_embedded_in_public_dataset_pages(app, portal):
    dataset = publish(portal)
    page = app.get(f"/dataset/{dataset['name']}").body
    assert 'type="application/ld+json"' in page
    assert "Population légale des régions" in page[page.index("application/ld+json"):]


@pytest.mark.parametrize("query", ["modified_since=hier", "modified_since=2024-13-45", "page=abc", "page=-1"])
def test_bad_catalog_parameters_are_a_400(app, query):
    resp = app.get(f"/catalog.ttl?{query}")
    assert resp.status_code == 400, resp.body[:300]


def test_region_and_province_uris_resolve_to_a_page_and_to_rdf(app):
    page = app.get("/region/MA-04", follow_redirects=False)  # the page: its datasets (tests/portal/test_places.py)
    assert page.status_code == 303 and page.headers["Location"].endswith("/dataset/?regions=MA-04")
    graph = Graph().parse(data=app.get("/region/MA-04.ttl").body, format="turtle")
    text = graph.serialize(format="turtle")
    assert '"Rabat-Salé-Kénitra"@fr' in text and '"الرباط سلا القنيطرة"@ar' in text and '"MA-04"' in text
    negotiated = app.get("/province/04.421", headers={"Accept": "text/turtle"})
    assert "Rabat" in negotiated.body and "MA-04" in negotiated.body
    assert app.get("/region/MA-99").status_code == 404
