"""Bad input gets a 4xx with CKAN's error shape, never a 500: NUL bytes anywhere, wrong JSON types
for the search parameters, deep nesting; and the password reset says the same thing whether the
account exists or not (no account oracle), even without a mail server."""

import pytest

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import complete_dataset, publish

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]


def client_errors(response):
    """[] when the response is a 4xx in CKAN's shape, else what is wrong with it."""
    if not 400 <= response.status_code < 500:
        return [(response.status_code, response.body[:300])]
    if response.headers.get("Content-Type", "").startswith("application/json"):
        body = response.json
        if body.get("success") is not False or "error" not in body:
            return [body]
    return []


def assert_client_error(response):
    assert client_errors(response) == []


NUL_URLS = [
    "/api/3/action/package_show?id=%00x",
    "/api/3/action/package_show?id=x%00",
    "/api/3/action/organization_show?id=%00",
    "/api/3/action/package_search?q=%00",
    "/api/3/action/package_search?fq=name:%00",
    "/api/3/action/package_search?sort=%00",
    "/api/3/action/resource_show?id=%00",
    "/api/3/action/tag_show?id=%00",
    "/api/3/action/user_show?id=%00",
    "/dataset/%00",
    "/dataset/edit/%00",
    "/organization/%00",
    "/group/%00",
    "/dataset/?q=%00",
    "/dataset/?tags=%00",
    "/user/%00",
    "/region/%00",
    "/catalog.ttl?q=%00",
]


def test_a_nul_byte_anywhere_is_a_client_error(app):
    failures = {url: client_errors(app.get(url, status=None)) for url in NUL_URLS}
    assert {url: errors for url, errors in failures.items() if errors} == {}


def test_a_nul_byte_in_a_posted_body_is_a_client_error(portal, app):
    response = app.post("/api/3/action/package_create", json={"name": "a\x00b"},
                        headers=portal["gdd_hcp"].headers, status=None)
    assert_client_error(response)
    for action in ("package_show", "organization_show", "tag_show", "resource_show", "user_show"):
        response = app.post(f"/api/3/action/{action}", data="id=%00x", status=None, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        assert_client_error(response)


def test_a_body_of_quotes_and_backslashes_is_refused_without_a_long_scan(app):
    """A JSON string scanner that backtracked took seconds on 64 kB of this: the request must end
    (here within a minute for 256 kB, where it took minutes)."""
    import threading

    answers = []
    worker = threading.Thread(target=lambda: answers.append(app.post(
        "/api/3/action/status_show", data=b'"\\' * 128_000, status=None,
        headers={"Content-Type": "application/json"}).status_code), daemon=True)
    worker.start()
    worker.join(60)
    assert answers and 400 <= answers[0] < 500


SEARCH_PARAMETERS = ["q", "fq", "fq_list", "sort", "rows", "start", "facet", "facet.field", "facet.limit",
                     "facet.mincount", "fl", "include_private", "include_drafts", "include_deleted",
                     "use_default_schema", "defType", "qf", "df", "mm", "q.op"]


WRONG_TYPES = [{"a": 1}, [[1]], ["a", {"b": 2}], 1e308, -1, True]


def test_wrong_json_types_for_search_parameters_are_client_errors(app):
    failures = []
    for parameter in SEARCH_PARAMETERS:
        for value in WRONG_TYPES:
            response = app.post("/api/3/action/package_search", json={parameter: value}, status=None)
            if response.status_code != 200 and client_errors(response):
                failures.append((parameter, value, client_errors(response)))
    assert not failures, "; ".join(f"{p}={v!r}" for p, v, _ in failures)


@pytest.mark.parametrize("action", ["package_search", "package_create", "package_show"])
def test_deeply_nested_json_is_a_client_error(portal, app, action):
    body = "[" * 100_000 + "]" * 100_000
    response = app.post(f"/api/3/action/{action}", data=body, headers=dict(
        portal["gdd_hcp"].headers, **{"Content-Type": "application/json"}), status=None)
    assert_client_error(response)
    nested = '{"q": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}"
    response = app.post(f"/api/3/action/{action}", data=nested, headers=dict(
        portal["gdd_hcp"].headers, **{"Content-Type": "application/json"}), status=None)
    assert_client_error(response)


def test_anonymous_collaborator_list_is_refused_not_a_crash(portal, app):
    created = publish(portal)
    response = app.get(f"/api/3/action/package_collaborator_list?id={created['id']}", status=None)
    assert response.status_code == 403 and response.json["success"] is False


@pytest.mark.ckan_config("smtp.server", "127.0.0.1:9")  # nothing listens there
def test_password_reset_answers_the_same_for_known_and_unknown_accounts(portal, app):
    known = portal["gdd_hcp"].user
    answers = []
    for login in (known["name"], known["email"], "personne-inconnue", "inconnu@example.org"):
        page = app.post("/user/reset", data={"user": login}, status=None, follow_redirects=False)
        assert page.status_code < 500, (login, page.status_code)
        answers.append((page.status_code, page.headers.get("Location", "")))
    assert len(set(answers)) == 1, answers


def test_a_review_comment_that_is_not_a_text_is_a_client_error(portal):
    created = portal["gdd_hcp"].ok("package_create", **complete_dataset(name="en-revue"))
    portal["gdd_hcp"].ok("datagovma_dataset_submit", id=created["id"])
    for value in ({"fr": "x"}, ["x"], 3):
        body = portal["rod_hcp"].call("datagovma_dataset_return", status=409, id=created["id"], comment=value)
        assert "comment" in body["error"]
    published = publish(portal)
    body = portal["rod_hcp"].call("datagovma_dataset_withdraw", status=409, id=published["id"], reason={"x": 1})
    assert "reason" in body["error"]
