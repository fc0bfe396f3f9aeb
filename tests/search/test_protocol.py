"""Every protocol path pysolr and CKAN use, round-tripped through pysolr."""

import json
import urllib.request

import pysolr
import pytest
import requests

from .conftest import SITE, ckan_doc, ids


def test_add_commit_and_select(solr):
    solr.add([ckan_doc("eau-potable"), ckan_doc("budget-etat")], commit=True)
    results = solr.search("*:*", fq=[f'+site_id:"{SITE}"', "+state:active"], fl="id,name")
    assert results.hits == 2
    assert ids(results) == ["id-budget-etat", "id-eau-potable"]


def test_uncommitted_adds_are_invisible_until_commit(solr):
    solr.add([ckan_doc("brouillon")], commit=False)
    assert solr.search("*:*").hits == 0
    solr.commit()
    assert solr.search("*:*").hits == 1


def test_commit_xml_message_and_wait_searcher(solr, service):
    solr.add([ckan_doc("a")], commit=False)
    resp = requests.post(
        service.url + "/update/?commit=true&waitSearcher=false", data="<commit />", headers={"Content-type": "text/xml"}
    )
    assert resp.status_code == 200
    assert solr.search("*:*").hits == 1


def test_delete_by_id_and_by_query(solr):
    solr.add([ckan_doc("a"), ckan_doc("b"), ckan_doc("c", state="deleted")], commit=True)
    solr.delete(id="idx-a", commit=True)
    assert ids(solr.search("*:*")) == ["id-b", "id-c"]
    solr.delete(q=f'+entity_type:package AND +(id:"id-b" OR name:"id-b") AND +site_id:"{SITE}"', commit=True)
    assert ids(solr.search("*:*")) == ["id-c"]
    solr.delete(q=f'+site_id:"{SITE}"', commit=True)
    assert solr.search("*:*").hits == 0


def test_update_replaces_the_document_with_the_same_unique_key(solr):
    solr.add([ckan_doc("a", title="Ancien titre")], commit=True)
    solr.add([ckan_doc("a", title="Nouveau titre")], commit=True)
    results = solr.search("*:*", fl="title")
    assert results.hits == 1
    assert results.docs[0]["title"] == "Nouveau titre"


def test_json_update_commands(solr, service):
    body = json.dumps({"add": {"doc": ckan_doc("x")}, "commit": {}})
    resp = requests.post(service.url + "/update", data=body, headers={"Content-type": "application/json"})
    assert resp.status_code == 200
    assert solr.search("*:*").hits == 1
    body = json.dumps({"delete": {"query": "name:x"}, "commit": {}})
    requests.post(service.url + "/update", data=body, headers={"Content-type": "application/json"})
    assert solr.search("*:*").hits == 0


def test_select_by_post_for_long_queries(solr):
    solr.add([ckan_doc("cible")], commit=True)
    # pysolr switches to POST once the encoded parameters pass 1024 characters
    long_q = " OR ".join(f'name:"autre-{i}"' for i in range(80)) + ' OR name:"cible"'
    assert len(long_q) > 1024
    assert ids(solr.search(long_q, df="text")) == ["id-cible"]


def test_ping_and_schema_endpoints(service):
    assert service.ping()
    with urllib.request.urlopen(service.url + "/schema?wt=schema.xml") as resp:
        text = resp.read().decode()
    assert 'name="ckan-2.12"' in text
    with urllib.request.urlopen(service.url + "/admin/file/?file=schema.xml") as resp:
        assert resp.read().decode() == text


def test_stored_fields_types_and_date_format(solr):
    solr.add(
        [
            ckan_doc(
                "typed",
                metadata_modified="2014-06-10T08:24:12.782123Z",
                tags=["eau"],
                num_resources=3,
                validated_data_dict='{"name": "typed"}',
                extras_source="HCP",
            )
        ],
        commit=True,
    )
    doc = pysolr.Solr(solr.url, decoder=json.JSONDecoder()).search("*:*", fl="*").docs[0]
    assert doc["metadata_modified"] == "2014-06-10T08:24:12.782Z"
    assert doc["tags"] == ["eau"]
    assert doc["validated_data_dict"] == '{"name": "typed"}'
    assert doc["extras_source"] == "HCP"
    assert "permission_labels" not in doc  # stored="false"
    assert "num_resources" not in doc  # the catch-all * field is not stored


def test_score_and_max_score(solr, service):
    solr.add([ckan_doc("eau-potable", notes="eau eau eau"), ckan_doc("eau")], commit=True)
    body = requests.get(service.url + "/select", params={"q": "eau", "df": "text", "fl": "id,score"}).json()
    scores = [d["score"] for d in body["response"]["docs"]]
    assert body["response"]["maxScore"] == max(scores) > 0
    assert scores == sorted(scores, reverse=True)


def test_documents_survive_a_restart(service, solr):
    solr.add([ckan_doc("durable")], commit=True)
    service.stop()
    service.start()
    assert ids(pysolr.Solr(service.url).search("*:*")) == ["id-durable"]


def test_a_crash_loses_only_uncommitted_writes(service, solr):
    solr.add([ckan_doc("committed")], commit=True)
    solr.add([ckan_doc("uncommitted")], commit=False)
    service.kill()
    service.start()
    assert ids(pysolr.Solr(service.url).search("*:*")) == ["id-committed"]


def test_rebuild_after_many_updates_keeps_one_version(solr, service):
    for i in range(5):
        solr.add([ckan_doc("a", title=f"Version {i}")], commit=True)
    requests.post(service.url + "/update?optimize=true", data="<optimize/>", headers={"Content-type": "text/xml"})
    results = solr.search("*:*", fl="title")
    assert [d["title"] for d in results.docs] == ["Version 4"]


@pytest.mark.parametrize("writers", [4])
def test_concurrent_writers_from_several_processes(solr, service, writers):
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(writers) as pool:
        pool.starmap(_write_batch, [(service.url, w, 25) for w in range(writers)])
    assert solr.search("*:*", rows=0).hits == writers * 25


def _write_batch(url, writer, count):
    client = pysolr.Solr(url, timeout=30)
    for i in range(count):
        client.add([ckan_doc(f"w{writer}-{i}")], commit=(i % 5 == 0))
    client.commit()


@pytest.mark.parametrize("fl,expected", [
    ("id name", {"id", "name"}),
    ("id,validated_data_dict", {"id", "validated_data_dict"}),
    ("id title*", {"id", "title"}),  # title_string is indexed, not stored
    ("*_modified name", {"metadata_modified", "name"}),
    ("name,score", {"name", "score"}),
    ("inconnu", set()),
])
def test_field_lists_return_exactly_the_fields_asked(solr, fl, expected):
    solr.add([ckan_doc("champs", validated_data_dict='{"name": "champs"}', data_dict='{}')], commit=True)
    docs = solr.search("*:*", fl=fl).docs
    assert len(docs) == 1 and set(docs[0]) == expected
    if "validated_data_dict" in expected:
        assert docs[0]["validated_data_dict"] == '{"name": "champs"}'
