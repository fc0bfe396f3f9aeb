"""Resource uploads: accepted types, the size limit and content sniffing; downloads are safe."""

import io

import pytest

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import complete_dataset

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]

CSV = "région,population\nRabat-Salé-Kénitra,5132639\nL'Oriental,2294665\n".encode()


def upload(app, portal, filename, content, status=200, who="gdd_hcp"):
    dataset = portal["gdd_hcp"].ok("package_create", **complete_dataset(resources=[]))
    resp = app.post("/api/3/action/resource_create", headers=portal[who].headers, status=status, data={
        "package_id": dataset["id"], "name": filename, "upload": (io.BytesIO(content), filename)})
    return dataset, resp.json


def test_a_gdd_uploads_a_csv_and_it_is_downloaded_safely(app, portal):
    dataset, body = upload(app, portal, "population.csv", CSV)
    resource = body["result"]
    assert resource["url_type"] == "upload"
    assert resource["format"] == "CSV"
    download = app.get(resource["url"].replace("http://test.ckan.net", ""), headers=portal["gdd_hcp"].headers)
    assert download.status_code == 200
    assert download.data == CSV
    assert download.headers["Content-Type"].startswith("text/csv")
    assert download.headers["Content-Disposition"] == "attachment; filename=population.csv"
    assert download.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("filename, content, message", [
    ("population.csv", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "une page web (HTML)"),
    ("population.csv", b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "un programme exécutable"),
    ("tableau.xlsx", b"nom,valeur\nrabat,1\n", "pas un fichier XLSX"),
    ("donnees.json", b"<html>not json</html>", "est refusé"),
    ("script.sh", b"#!/bin/sh\nrm -rf /\n", ".sh"),
    ("outil.exe", b"MZ\x90\x00", ".exe"),
])
def test_disguised_or_forbidden_files_are_refused_and_nothing_is_written(app, portal, filename, content, message):
    dataset, body = upload(app, portal, filename, content, status=409)
    assert message.lower() in body["error"]["upload"][0].lower()
    assert portal["gdd_hcp"].ok("package_show", id=dataset["id"])["resources"] == []


@pytest.mark.ckan_config("ckanext.datagovma.upload.max_size_mb", "1")
def test_an_oversize_upload_is_refused_with_the_limit(app, portal):
    dataset, body = upload(app, portal, "grand.csv", b"a,b\n" + b"1,2\n" * 300_000, status=409)
    assert "1 MB" in body["error"]["upload"][0]
    assert portal["gdd_hcp"].ok("package_show", id=dataset["id"])["resources"] == []
