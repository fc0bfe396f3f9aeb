"""Forms need their CSRF token whatever came before (CKAN 2.12 exempts a view for the rest of the
worker's life once one request reached it with an API token), the login form included; HTML pages
tell browsers not to frame them, not to sniff types, and which sources may run."""

import re

import pytest

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import PASSWORD, complete_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.ckan_config("WTF_CSRF_ENABLED", True),
    pytest.mark.usefixtures("portal"),
]


def _token(body):
    return re.search(r'name="_csrf_token" value="([^"]+)"', body).group(1)


def _sign_in(app, username):
    """A browser-like session: the login form with its token, then the session cookie."""
    page = app.get("/user/login")
    app.post("/user/login", data={"login": username, "password": PASSWORD, "_csrf_token": _token(page.body)},
             follow_redirects=False)


def test_a_token_request_does_not_exempt_later_cookie_requests(portal, app):
    dataset = portal["gdd_hcp"].ok("package_create", **complete_dataset())
    # one request with the Authorization header to the form route: allowed without a token
    app.post(f"/dataset/{dataset['name']}/review/submit", headers=portal["gdd_hcp"].headers, status=302,
             follow_redirects=False)
    portal["rod_hcp"].ok("datagovma_dataset_return", id=dataset["id"], comment="Ajoutez la source")
    # a cookie-only request without the token, afterwards, on the same worker: refused
    _sign_in(app, portal["gdd_hcp"].user["name"])
    response = app.post(f"/dataset/{dataset['name']}/review/submit", follow_redirects=False)
    assert response.status_code == 400
    assert portal["sysadmin"].ok("package_show", id=dataset["id"])["publication_status"] == "returned"
    # with its token it goes through
    token = _token(app.get(f"/dataset/{dataset['name']}").body)
    app.post(f"/dataset/{dataset['name']}/review/submit", data={"_csrf_token": token}, status=302,
             follow_redirects=False)
    assert portal["sysadmin"].ok("package_show", id=dataset["id"])["publication_status"] == "in_review"


def test_the_login_form_needs_its_token(portal, app):
    response = app.post("/user/login", data={"login": portal["gdd_hcp"].user["name"], "password": PASSWORD},
                        follow_redirects=False)
    assert response.status_code == 400
    # not signed in: the dashboard sends the visitor to the login form
    assert app.get("/dashboard/datasets", follow_redirects=False).status_code == 302


@pytest.mark.parametrize("page", ["/", "/dataset/", "/ar/dataset/", "/user/login", "/organization/",
                                  "/dataset/population-legale-regions-2024"])
def test_html_pages_send_security_headers(portal, app, page):
    from ..portal_fixtures import publish

    publish(portal)
    headers = app.get(page, status=200).headers
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src and "*" not in script_src
    assert headers.get("X-Frame-Options") == "DENY"
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"


def test_api_answers_are_not_sniffed_either(app):
    headers = app.get("/api/3/action/status_show").headers
    assert headers.get("X-Content-Type-Options") == "nosniff"
