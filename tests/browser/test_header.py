"""The header on a 1280-pixel screen, in French and in Arabic: logo, the five navigation links, the
search box and the three languages fit on one line (core's link padding wrapped the last link
under the others), and nothing overflows the page's width."""

import pytest

from ..conftest import PORTAL_PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]


@pytest.mark.parametrize("prefix", ["", "/ar"])
@pytest.mark.parametrize("width", [1200, 1280, 1440])
def test_the_navigation_holds_on_one_line(browser, live_server, prefix, width):
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{prefix}/dataset/")
    tops = page.evaluate("""() => Array.from(document.querySelectorAll('#main-navigation-toggle > ul > li'),
                                        e => Math.round(e.getBoundingClientRect().top))""")
    assert len(tops) == 5 and len(set(tops)) == 1, tops
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
