"""Browser tests: the portal served over real HTTP on 127.0.0.1 (a thread serving CKAN's test
application), driven by Debian's Chromium through Playwright. Screenshots go to
test-artifacts/browser/."""

import os
import threading

import pytest
from werkzeug.serving import make_server

from ..portal_fixtures import PASSWORD

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARTIFACTS = os.path.join(ROOT, "test-artifacts", "browser")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(app, ckan_config):
    """The application under test on a free port, for a real browser (its site_url is that
    address, so CKAN's redirects stay on it)."""
    server = make_server("127.0.0.1", 0, app.app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    ckan_config["ckan.site_url"] = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join(10)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: make test installs Debian's chromium package (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


class Visitor:
    """One browser context (cookies) with its screenshots and console errors recorded."""

    def __init__(self, browser, base, name, folder):
        self.context = browser.new_context(base_url=base, locale="fr-FR", accept_downloads=True)
        self.page = self.context.new_page()
        self.name = name
        self.folder = folder
        self.console_errors = []
        self.page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        # Nothing leaves 127.0.0.1: a request to another host is refused and recorded.
        self.outside_requests = []
        self.context.route("**/*", self._only_local)
        self.shots = 0

    def _only_local(self, route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            self.outside_requests.append(url)
            route.abort()

    def assert_clean(self):
        assert self.outside_requests == [], f"pages asked for other hosts: {self.outside_requests}"
        assert self.console_errors == [], self.console_errors

    def shot(self, label):
        os.makedirs(self.folder, exist_ok=True)
        self.shots += 1
        self.page.screenshot(path=os.path.join(self.folder, f"{self.name}-{self.shots:02d}-{label}.png"),
                             full_page=True)

    def login(self, prefix, username, password=PASSWORD):
        self.page.goto(f"{prefix}/user/login")
        self.page.fill("#field-login", username)
        self.page.fill("#field-password", password)
        self.page.locator("#field-password").press("Enter")
        self.page.wait_for_load_state()
        if "/user/login" in self.page.url:
            self.shot("login-failed")
            pytest.fail(f"{username} could not log in; see the screenshot in {self.folder}")

    def close(self):
        self.context.close()
