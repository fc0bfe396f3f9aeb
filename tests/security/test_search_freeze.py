"""Search that cannot be frozen: a hostile pattern, anonymous through package_search, answers (or
is refused) without holding back the other searches, every search has a time budget (Solr's
timeAllowed), and patterns and their expansions are bounded.

Against the real search service (a process of its own, reached over HTTP as CKAN reaches it).
The tests assert what a user would notice (an answer, its order among concurrent answers, a 400),
never a duration: waits are bounded only so that a regression fails instead of hanging.
"""

import threading
import time

import pytest
import requests

from datagovma_search.process import SearchProcess
from tests.search.conftest import SCHEMA, ckan_doc

LUCENE = {"q.op": "AND", "df": "text", "wt": "json"}
DOCS = 1_000
BOUND = 120  # seconds: a request that takes longer is a frozen service

# 36-character ids as CKAN's (uuid4: lower-case hex, so /(.|.)*Z/ matches none of them: a
# backtracking engine tries every way to split each one, 2**36 of them)
UUIDS = [f"{i:08x}-1f2e-4d3c-8b7a-{i * 7919:012x}" for i in range(DOCS)]
# long names that differ in their last characters only: a fuzzy match (edit distance, quadratic
# in the length) on each of them takes milliseconds, so one query over all takes seconds
LONG = "a" * 190
SLOW_FUZZY = f"name:{LONG}zzzzzz~2"


def corpus():
    return [ckan_doc(f"{LONG}{i:06d}", id=UUIDS[i], index_id=f"idx-{i}") for i in range(DOCS)]


def start(tmp_path_factory, *flags):
    service = SearchProcess(SCHEMA, str(tmp_path_factory.mktemp("search-freeze")), extra_args=flags).start()
    resp = requests.post(service.url + "/update?commit=true", json=corpus(), timeout=BOUND)
    resp.raise_for_status()
    return service


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """The service with its default limits, holding DOCS datasets."""
    proc = start(tmp_path_factory)
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def strict_service(tmp_path_factory):
    """The service with tight limits: 200 ms per search, 100 terms per pattern."""
    proc = start(tmp_path_factory, "--time-allowed", "200", "--max-terms", "100")
    yield proc
    proc.stop()


def select(service, timeout=BOUND, **params):
    return requests.get(service.url + "/select", params=dict(LUCENE, **params), timeout=timeout)


def test_hostile_regex_over_long_ids_answers(service):
    resp = select(service, q="id:/(.|.)*Z/", rows=0)
    assert resp.status_code == 200
    assert resp.json()["response"]["numFound"] == 0
    # the service still serves, and the regexp engine still finds what matches
    assert select(service, q="id:/0000000[0-9]-.*/", rows=0).json()["response"]["numFound"] == 10


def test_a_slow_search_holds_back_no_other(service):
    """A plain search sent while a slow one runs is answered before the slow one ends."""
    slow_answer = {}
    slow_done = threading.Event()

    def slow():
        try:
            slow_answer["response"] = select(service, q=SLOW_FUZZY, rows=0)
        finally:
            slow_done.set()

    thread = threading.Thread(target=slow, daemon=True)
    thread.start()
    time.sleep(0.5)  # let the slow search start (it runs for seconds)
    assert not slow_done.is_set(), "the slow search ended too soon to test anything"
    plain = select(service, q=f'name:"{LONG}000042"', fl="id")
    answered_first = not slow_done.is_set()
    thread.join(BOUND)
    assert plain.status_code == 200
    assert plain.json()["response"]["docs"] == [{"id": UUIDS[42]}]
    assert answered_first, "the plain search waited for the slow one"
    assert slow_answer["response"].status_code == 200


def test_time_allowed_answers_partial_results(service):
    resp = select(service, q=SLOW_FUZZY, rows=0, timeAllowed="1")
    assert resp.status_code == 200
    assert resp.json()["responseHeader"]["partialResults"] is True
    # a search done within its budget is not flagged
    plain = select(service, q="id:/00000001-.*/", rows=0, timeAllowed="10000").json()
    assert plain["response"]["numFound"] == 1
    assert "partialResults" not in plain["responseHeader"]


def test_time_allowed_partial_results_are_what_was_found(service):
    """A fuzzy query cut short returns some of its matches, never a term that does not match."""
    target = f"{LONG}000500"
    within_one_edit = {
        f"{LONG}{i:06d}" for i in range(DOCS) if sum(a != b for a, b in zip(f"{i:06d}", "000500", strict=True)) < 2
    }
    partial = select(service, q=f"name:{target}~1", rows=50, fl="name", timeAllowed="300").json()
    assert partial["responseHeader"]["partialResults"] is True
    assert {d["name"] for d in partial["response"]["docs"]} < within_one_edit


def test_the_service_bounds_searches_that_send_no_budget(strict_service):
    resp = select(strict_service, q=SLOW_FUZZY, rows=0)
    assert resp.status_code == 200
    assert resp.json()["responseHeader"]["partialResults"] is True
    # a client cannot ask for more than the service allows
    resp = select(strict_service, q=SLOW_FUZZY, rows=0, timeAllowed="600000")
    assert resp.json()["responseHeader"]["partialResults"] is True


@pytest.mark.parametrize(
    "q",
    [
        "id:/" + "(.|.)" * 60 + "Z/",
        "name:*" + "a" * 300 + "*",
        f"name:{'a' * 300}~2",
    ],
)
def test_too_long_pattern_is_refused(service, q):
    resp = select(service, q=q, rows=0)
    assert resp.status_code == 400
    assert "at most 256 characters" in resp.json()["error"]["msg"]


@pytest.mark.parametrize("q", ["id:/.*/", "id:*-1f2e-*", "id:0*", "id:[0 TO 1]"])
def test_too_many_expanded_terms_are_refused(strict_service, q):
    resp = select(strict_service, q=q, rows=0)
    assert resp.status_code == 400
    assert "matches more than 100 terms" in resp.json()["error"]["msg"]
    # within the limit, the same kinds of query answer
    assert select(strict_service, q="id:/0000000[0-9]-.*/", rows=0).json()["response"]["numFound"] == 10


@pytest.mark.parametrize("q", ["id:/a&b/", "id:/~a/", "id:/<name>/", "id:/(a/", "id:/a{2000}/"])
def test_regular_expressions_beyond_the_linear_subset_are_refused(service, q):
    resp = select(service, q=q, rows=0)
    assert resp.status_code == 400
    assert resp.json()["error"]["msg"]


def test_pysolr_sees_a_refusal_as_solr_error(service):
    """CKAN reads the 400's error.msg through pysolr, and turns it into a SearchError."""
    import pysolr

    with pytest.raises(pysolr.SolrError, match="at most 256 characters"):
        pysolr.Solr(service.url, timeout=BOUND).search("id:/" + "a" * 300 + "/", **LUCENE)
