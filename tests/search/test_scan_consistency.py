"""A regexp or wildcard query tries the terms of its field without the core's lock: writes go on
meanwhile, and the answer is still the index as of one moment (in process, on a Core)."""

import threading

import pytest

from datagovma_search import engine
from datagovma_search.core import Core

from .conftest import SCHEMA, ckan_doc


@pytest.fixture
def core(tmp_path):
    core = Core(SCHEMA, str(tmp_path / "data"))
    core.add([ckan_doc("alpha-1"), ckan_doc("alpha-2"), ckan_doc("beta-1")])
    core.commit()
    yield core
    core.close()


def names(core, q):
    result = core.select({"q": [q], "fl": ["name"], "rows": ["50"], "q.op": ["AND"]})
    return sorted(d["name"] for d in result["response"]["docs"])


def write_during_scan(monkeypatch, write):
    """Runs ``write`` (in another thread, waited for) while the first scan runs outside the lock:
    a write that needed the lock would never finish."""
    original = engine.TermScanQuery.expand
    done = []

    def expand(self, index, deadline, max_terms, polite=None):
        if polite is not None and not done:
            writer = threading.Thread(target=write)
            writer.start()
            writer.join(30)
            done.append(not writer.is_alive())
        return original(self, index, deadline, max_terms, polite)

    monkeypatch.setattr(engine.TermScanQuery, "expand", expand)
    return done


def test_a_write_goes_on_during_a_scan_and_its_commit_is_seen(core, monkeypatch):
    def write():
        core.add([ckan_doc("alpha-3")])
        core.commit()

    done = write_during_scan(monkeypatch, write)
    assert names(core, "name:/alpha-.*/") == ["alpha-1", "alpha-2", "alpha-3"]
    assert done == [True]


def test_an_uncommitted_write_during_a_scan_is_not_seen(core, monkeypatch):
    done = write_during_scan(monkeypatch, lambda: core.add([ckan_doc("alpha-3")]))
    assert names(core, "name:al*a-?") == ["alpha-1", "alpha-2"]
    assert done == [True]


@pytest.mark.parametrize("replace", ["optimize", "rollback"])
def test_an_index_replaced_during_a_scan_is_scanned_again(core, monkeypatch, replace):
    """optimize and rollback rebuild the index: its terms get other numbers, so the terms found
    before cannot be used."""

    def write():
        core.delete_ids(["idx-alpha-1"])
        core.add([ckan_doc("gamma-1"), ckan_doc("alpha-3")])
        core.commit()
        core.add([ckan_doc("alpha-4")])  # not committed: the rollback drops it
        getattr(core, replace)()

    done = write_during_scan(monkeypatch, write)
    expected = ["alpha-2", "alpha-3"] if replace == "rollback" else ["alpha-2", "alpha-3", "alpha-4"]
    assert names(core, "name:/alpha-.*/") == expected
    assert done == [True]
