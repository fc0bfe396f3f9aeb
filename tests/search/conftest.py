"""Fixtures of the search service tests: a real `datagovma-search` process of its own, with the
portal's schema (config/solr/schema.xml), reached through pysolr as CKAN reaches it."""

import os

import pysolr
import pytest

from datagovma_search.process import SearchProcess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = os.path.join(ROOT, "config", "solr", "schema.xml")
SITE = "search-tests"


def ckan_doc(name, **fields):
    """A document shaped like the ones CKAN's PackageSearchIndex sends."""
    doc = {
        "index_id": f"idx-{name}",
        "id": f"id-{name}",
        "name": name,
        "site_id": SITE,
        "entity_type": "package",
        "dataset_type": "dataset",
        "state": "active",
        "capacity": "public",
        "title": name.replace("-", " ").title(),
        "metadata_modified": "2024-01-01T00:00:00.000000Z",
        "metadata_created": "2023-01-01T00:00:00.000000Z",
        "permission_labels": ["public"],
    }
    doc.update(fields)
    if "title" in doc:
        doc.setdefault("title_string", doc["title"])
    return doc


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    proc = SearchProcess(SCHEMA, str(tmp_path_factory.mktemp("search-data"))).start()
    yield proc
    proc.stop()


@pytest.fixture
def solr(service):
    """A pysolr client on an emptied index."""
    client = pysolr.Solr(service.url, timeout=30)
    client.delete(q="*:*", commit=True)
    return client


def ids(results):
    return sorted(d["id"] for d in results.docs)
