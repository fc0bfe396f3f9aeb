"""The citizens' portal in a real browser, in French and in Arabic: home, a search with a facet,
a dataset, a producer, a theme, a region, the key figures and a CSV preview. No console error, no
server error, right to left in Arabic, the language switch keeps the page, and axe-core finds no
serious or critical accessibility violation (WCAG 2.1 AA rules)."""

import io
import os

import pytest

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import complete_dataset
from .conftest import ARTIFACTS, ROOT, Visitor

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]

AXE = os.path.join(ROOT, "var", "npm", "node_modules", "axe-core", "axe.min.js")
PAGES = [
    ("home", "/"),
    ("search-facet", "/dataset/?themes=societe"),
    ("dataset", "/dataset/population-regions"),
    ("producer", "/organization/haut-commissariat-au-plan"),
    ("theme", "/dataset/?themes=environnement"),
    ("region", "/dataset/?regions=MA-04"),  # where /region/MA-04 leads
    ("key-figures", "/chiffres-cles"),
    ("resource-preview", "/dataset/population-regions/resource/{resource}"),
]


@pytest.fixture
def published(app, portal):
    dataset = portal["gdd_hcp"].ok("package_create", **complete_dataset(name="population-regions"))
    csv = "Région;Année;Population\nTanger-Tétouan-Al Hoceïma;2024;4030222\nالشرق;2024;2294665\n".encode()
    dataset["preview_resource"] = app.post("/api/3/action/resource_create", headers=portal["gdd_hcp"].headers, data={
        "package_id": dataset["id"], "format": "CSV", "name_translated": '{"fr": "Population", "ar": "السكان"}',
        "upload": (io.BytesIO(csv), "population.csv")}).json["result"]
    portal["gdd_hcp"].ok("datagovma_dataset_submit", id=dataset["id"])
    portal["rod_hcp"].ok("datagovma_dataset_publish", id=dataset["id"])
    return dataset


def load_axe(visitor):
    """axe-core in every page of the visitor, as the browser's own script: the portal's
    Content-Security-Policy refuses inline scripts, which a script tag added to the page is."""
    if not os.path.exists(AXE):
        pytest.fail(f"{AXE} is missing: make test installs axe-core from the npm registry")
    visitor.context.add_init_script(path=AXE)


def axe_violations(page):
    result = page.evaluate("""async () => {
        const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                                       target: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("lang, prefix", [("fr", ""), ("ar", "/ar")])
def test_the_portal_pages_in_a_browser(browser, live_server, published, lang, prefix):
    visitor = Visitor(browser, live_server, f"portal-{lang}", os.path.join(ARTIFACTS, f"portal-{lang}"))
    load_axe(visitor)
    problems = {}
    for label, path in PAGES:
        path = path.format(resource=published["preview_resource"]["id"])
        response = visitor.page.goto(prefix + path)
        assert response.status == 200, (path, response.status)
        assert visitor.page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr") or lang == "fr"
        visitor.shot(label)
        found = axe_violations(visitor.page)
        if found:
            problems[path] = found
        other = "ar" if lang == "fr" else "fr"
        switch = visitor.page.locator(f".datagovma-languages a[hreflang={other}]").get_attribute("href")
        expected = path if other == "fr" else "/ar" + path
        assert switch == expected.rstrip("?"), (switch, expected)
    visitor.assert_clean()
    visitor.close()
    for path, found in problems.items():
        for violation in found:
            print(path, violation)
    assert problems == {}, problems
