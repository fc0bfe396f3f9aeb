"""The preview of stored CSV and JSON files (datagovma_preview): made with each new resource, shown
on the resource page as a table, in French and Arabic; odd files give a sentence, never a 500."""

import io
import json

import pytest

from ckanext.datagovma import preview as preview_module

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import publish

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]

CSV = "Région;Année;Population\nTanger-Tétouan-Al Hoceïma;2024;4030222\nالشرق;2024;2294665\n".encode()


@pytest.fixture
def dataset(portal):
    return publish(portal, name="population-regions")


def upload(app, portal, dataset, filename, content, fmt):
    response = app.post("/api/3/action/resource_create", headers=portal["gdd_hcp"].headers, data={
        "package_id": dataset["id"], "format": fmt, "name_translated": json.dumps({"fr": filename}),
        "upload": (io.BytesIO(content), filename)})
    return response.json["result"]


def resource_page(app, dataset, resource, prefix=""):
    return app.get(f"{prefix}/dataset/{dataset['name']}/resource/{resource['id']}").body


def test_a_csv_is_previewed_as_a_table(app, portal, dataset):
    resource = upload(app, portal, dataset, "population.csv", CSV, "CSV")
    views = portal["anonymous"].ok("resource_view_list", id=resource["id"])
    assert [v["view_type"] for v in views][0] == "datagovma_preview"
    body = resource_page(app, dataset, resource)
    assert '<th scope="col" dir="auto">Région</th>' in body
    assert '<td dir="auto">Tanger-Tétouan-Al Hoceïma</td>' in body and '<td dir="auto">الشرق</td>' in body
    assert "Le fichier entier" in body
    assert "الملف كاملا" in resource_page(app, dataset, resource, "/ar")


def test_a_long_csv_shows_its_first_hundred_rows(app, portal, dataset):
    lines = ["code,valeur"] + [f"{i},{i * 2}" for i in range(250)]
    resource = upload(app, portal, dataset, "longue.csv", "\n".join(lines).encode(), "CSV")
    body = resource_page(app, dataset, resource)
    assert "Les 100 premières lignes du fichier" in body
    assert '<tr><td dir="auto">99</td><td dir="auto">198</td></tr>' in body
    assert '<tr><td dir="auto">100</td>' not in body


def test_a_large_arabic_csv_is_read_from_its_beginning_only(app, portal, dataset):
    lines = ["الجهة,السنة,القيمة"] + [f"الداخلة وادي الذهب,{2000 + i % 25},{i}" for i in range(12000)]
    content = ("\ufeff" + "\n".join(lines)).encode()  # as Excel saves UTF-8: with a BOM
    assert len(content) > 2 * preview_module.TABLE_BYTES
    with pytest.raises(UnicodeDecodeError):  # the part read ends inside a character
        content[:preview_module.TABLE_BYTES].decode("utf-8")
    resource = upload(app, portal, dataset, "kabir.csv", content, "CSV")
    body = resource_page(app, dataset, resource)
    assert "Les 100 premières lignes du fichier" in body
    assert '<th scope="col" dir="auto">الجهة</th>' in body
    assert '<tr><td dir="auto">الداخلة وادي الذهب</td><td dir="auto">2000</td><td dir="auto">0</td></tr>' in body


def test_windows_arabic_csv_is_read(app, portal, dataset):
    resource = upload(app, portal, dataset, "jihat.csv", "الجهة,العدد\nالشرق,12\n".encode("cp1256"), "CSV")
    assert '<td dir="auto">الشرق</td>' in resource_page(app, dataset, resource)


def test_json_records_and_geojson_are_tables_other_json_is_shown_as_text(app, portal, dataset):
    records = upload(app, portal, dataset, "series.json", json.dumps(
        {"code": "I1000", "rows": [{"period": "2023", "value": 12.5}, {"period": "2024", "value": None}]}).encode(),
        "JSON")
    body = resource_page(app, dataset, records)
    assert '<th scope="col" dir="auto">period</th>' in body and '<td dir="auto">12.5</td>' in body
    geo = upload(app, portal, dataset, "communes.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"commune": "Aït Melloul"}, "geometry": None}]}).encode(), "GeoJSON")
    assert '<td dir="auto">Aït Melloul</td>' in resource_page(app, dataset, geo)
    other = upload(app, portal, dataset, "config.json", b'{"version": 3, "langues": ["fr", "ar"]}', "JSON")
    assert "&#34;version&#34;: 3" in resource_page(app, dataset, other)


@pytest.mark.parametrize("filename, content, fmt, message", [
    ("vide.csv", b"", "CSV", "Le fichier est vide"),
    ("casse.json", b'{"rows": [1, 2', "JSON", "pas un JSON valide"),
])
def test_odd_files_get_a_sentence_not_an_error_page(app, portal, dataset, filename, content, fmt, message):
    resource = upload(app, portal, dataset, filename, content, fmt)
    assert message in resource_page(app, dataset, resource)


def test_links_to_other_hosts_are_not_previewed(app, portal, dataset):
    resource = portal["gdd_hcp"].ok("resource_create", package_id=dataset["id"], format="CSV",
                                    url="https://example.org/donnees.csv", name_translated={"fr": "Lien"})
    views = portal["anonymous"].ok("resource_view_list", id=resource["id"])
    assert "datagovma_preview" not in [v["view_type"] for v in views]
