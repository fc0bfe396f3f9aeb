"""Bad input gets a Solr-style 400 naming the problem, and the service keeps serving."""

import json
import os
import subprocess
import sys

import pytest
import requests

from .conftest import SCHEMA, ckan_doc

LUCENE = {"q.op": "AND", "df": "text", "wt": "json"}


def select(service, **params):
    return requests.get(service.url + "/select", params=dict(LUCENE, **params), timeout=30)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": 'title:"unbalanced'}, "unterminated quoted string"),
        ({"q": "(tags:eau"}, "unbalanced parenthesis"),
        ({"q": "tags:eau)"}, "unbalanced parenthesis"),
        ({"q": "--included"}, "Cannot parse '--included'"),
        ({"q": "x" * 10_000 + ":" + " OR ".join(["a"] * 1100)}, "maxClauseCount"),
        ({"q": "*:*", "rows": "1000000"}, "rows=1000000"),
        ({"q": "*:*", "start": "-1"}, "'start' parameter cannot be negative"),
        ({"q": "*:*", "rows": "abc"}, "Invalid Number: abc"),
        ({"q": "metadata_modified:[NOW-1DAYZ TO NOW]"}, "Invalid Date Math String"),
        ({"q": "metadata_modified:[2024-13-45T00:00:00Z TO NOW]"}, "Invalid Date String"),
        ({"q": "*:*", "sort": "nosuchfield asc"}, None),
        ({"q": "*:*", "sort": "title_string"}, "Can't determine a Sort Order"),
        ({"q": "*:*", "sort": "tags asc"}, "can not sort on multivalued field: tags"),
        ({"q": "{!frange l=0 u=1}div(a,b)"}, "Unknown query parser 'frange'"),
        ({"q": "{!lucene"}, "SyntaxError"),
        ({"q": "title:"}, "has no value"),
    ],
)
def test_bad_queries_get_a_400_and_the_service_keeps_serving(solr, service, params, message):
    solr.add([ckan_doc("a")], commit=True)
    resp = select(service, **params)
    if message is None:
        # the schema's catch-all * field makes any name sortable; missing values sort last
        assert resp.status_code == 200
    else:
        assert resp.status_code == 400, resp.text
        body = resp.json()
        assert body["error"]["code"] == 400
        assert message in body["error"]["msg"]
    assert select(service, q="*:*").json()["response"]["numFound"] == 1


@pytest.mark.parametrize(
    "body, ctype, message",
    [
        ('[{"index_id": ', "application/json", "Cannot parse the JSON update body"),
        ("<delete><id>x</id>", "text/xml", "Cannot parse the XML update body"),
        (
            json.dumps([{"id": "no-index-id", "site_id": "s"}]),
            "application/json",
            "missing mandatory uniqueKey field: index_id",
        ),
        (json.dumps([{"index_id": "x", "site_id": "s"}]), "application/json", "missing required field: id"),
        (
            json.dumps([{"index_id": "x", "id": "x", "site_id": "s", "title": ["a", "b"]}]),
            "application/json",
            "multiple values encountered for non multiValued field title",
        ),
        (
            json.dumps([{"index_id": "x", "id": "x", "site_id": "s", "metadata_modified": "yesterday"}]),
            "application/json",
            "Invalid Date String",
        ),
        ("<unknown/>", "text/xml", "Unknown XML update command"),
        ("<delete></delete>", "text/xml", "needs <id> or <query>"),
    ],
)
def test_bad_updates_get_a_400_and_change_nothing(solr, service, body, ctype, message):
    solr.add([ckan_doc("kept")], commit=True)
    resp = requests.post(service.url + "/update?commit=true", data=body.encode(), headers={"Content-type": ctype})
    assert resp.status_code == 400, resp.text
    assert message in resp.json()["error"]["msg"]
    assert select(service, q="*:*", fl="id").json()["response"]["docs"] == [{"id": "id-kept"}]


def test_a_bad_document_in_a_batch_writes_none_of_the_batch(solr, service):
    batch = [ckan_doc("good-1"), {"index_id": "bad", "site_id": "s"}, ckan_doc("good-2")]
    resp = requests.post(service.url + "/update?commit=true", json=batch)
    assert resp.status_code == 400
    assert select(service, q="*:*").json()["response"]["numFound"] == 0


def test_unknown_paths_and_cores_are_404(service):
    assert requests.get(service.url.replace("/ckan", "/other") + "/select").status_code == 404
    assert requests.get(service.url + "/nosuchhandler").status_code == 404


def _start(schema, data_dir, port="0"):
    return subprocess.run(
        [sys.executable, "-m", "datagovma_search", "--schema", schema, "--data-dir", str(data_dir), "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_schema_that_does_not_parse_stops_start_up_naming_file_and_line(tmp_path):
    broken = tmp_path / "schema.xml"
    broken.write_text('<schema name="ckan-2.12" version="1.6">\n<fields>\n<field name="id" type="string"\n</schema>\n')
    result = _start(str(broken), tmp_path / "data")
    assert result.returncode == 2
    assert f"{broken}, line 4" in result.stderr


def test_a_schema_with_an_unknown_type_class_is_refused(tmp_path):
    schema = tmp_path / "schema.xml"
    schema.write_text(
        '<schema name="ckan-2.12" version="1.6">\n<types>\n'
        '<fieldType name="geo" class="solr.LatLonPointSpatialField"/>\n</types>\n</schema>\n'
    )
    result = _start(str(schema), tmp_path / "data")
    assert result.returncode == 2
    assert "line 3" in result.stderr and "LatLonPointSpatialField" in result.stderr


def test_a_missing_schema_file_is_named(tmp_path):
    result = _start(str(tmp_path / "nope.xml"), tmp_path / "data")
    assert result.returncode == 2
    assert "nope.xml" in result.stderr


def test_a_port_in_use_is_reported(service, tmp_path):
    result = _start(SCHEMA, tmp_path / "data", port=str(service.port))
    assert result.returncode == 2
    assert f"port {service.port} on 127.0.0.1 is already in use" in result.stderr


def test_a_data_directory_in_use_is_reported(service):
    result = _start(SCHEMA, service.data_dir)
    assert result.returncode == 2
    assert "is in use by another search service" in result.stderr
    assert os.path.exists(os.path.join(service.data_dir, "documents.sqlite3"))


def test_an_index_of_another_format_is_refused_with_what_to_do(tmp_path):
    import sqlite3

    data = tmp_path / "data"
    data.mkdir()
    db = sqlite3.connect(data / "documents.sqlite3")
    db.execute("CREATE TABLE documents (rowid INTEGER PRIMARY KEY, doc_key TEXT NOT NULL, body TEXT NOT NULL)")
    db.execute("INSERT INTO documents (doc_key, body) VALUES ('x', '{}')")
    db.commit()
    db.close()
    result = _start(SCHEMA, data)
    assert result.returncode == 2
    assert "has format 1" in result.stderr and "search-index rebuild" in result.stderr


@pytest.mark.parametrize("name", ["/etc/passwd", "../../etc/passwd", "lang/../../secrets", ""])
def test_admin_file_serves_only_files_next_to_the_schema(service, name):
    resp = requests.get(service.url + "/admin/file/", params={"file": name})
    assert resp.status_code == 400
    assert "root:" not in resp.text
    assert requests.get(service.url + "/admin/file/", params={"file": "protwords.txt"}).status_code == 200


def test_a_bad_facet_option_names_its_parameter(solr, service):
    resp = select(service, q="*:*", facet="true", **{"facet.field": "tags", "f.tags.facet.limit": "beaucoup"})
    assert resp.status_code == 400
    assert "f.tags.facet.limit" in resp.json()["error"]["msg"]


def test_a_bad_content_length_is_a_400_and_the_service_keeps_serving(service):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=10)
    conn.putrequest("POST", "/solr/ckan/update")
    conn.putheader("Content-Length", "abc")
    conn.endheaders()
    resp = conn.getresponse()
    assert resp.status == 400
    assert "invalid Content-Length" in json.loads(resp.read())["error"]["msg"]
    conn.close()
    assert select(service, q="*:*").status_code == 200
