"""The whole publication flow in a real browser, once in French and once in Arabic:
GdD logs in -> new dataset -> uploads a CSV -> submits -> ROD logs in -> publishes ->
an anonymous visitor finds it on /dataset and downloads the file."""

import os

import pytest

from ..conftest import PORTAL_PLUGINS
from .conftest import ARTIFACTS, Visitor

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]

CSV = "région,population\nRabat-Salé-Kénitra,5132639\nL'Oriental,2294665\n"

FLOWS = {
    "fr": {"prefix": "", "title": {"fr": "Qualité de l'air à Rabat"}, "notes": {"fr": "Mesures quotidiennes."},
           "search": "qualité air",
           "name": "qualite-air-rabat"},
    "ar": {"prefix": "/ar", "title": {"ar": "جودة الهواء بالرباط"}, "notes": {"ar": "قياسات يومية."},
           "search": "الهواء", "name": "jawdat-alhawae"},
}


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_gdd_to_rod_to_the_public_in_a_browser(browser, live_server, portal, tmp_path, lang):
    flow = FLOWS[lang]
    prefix = flow["prefix"]
    folder = os.path.join(ARTIFACTS, f"publish-flow-{lang}")
    csv_file = tmp_path / "population.csv"
    csv_file.write_text(CSV, encoding="utf-8")

    gdd = Visitor(browser, live_server, "1-gdd", folder)
    gdd.login(prefix, portal["gdd_hcp"].user["name"])
    gdd.page.goto(f"{prefix}/dataset/new")
    gdd.shot("form")
    if lang == "ar":
        assert gdd.page.get_attribute("html", "dir") == "rtl"
    assert gdd.page.get_attribute("#field-title_translated-ar", "dir") == "rtl"
    for code, text in flow["title"].items():
        gdd.page.fill(f"#field-title_translated-{code}", text)
    for code, text in flow["notes"].items():
        gdd.page.fill(f"#field-notes_translated-{code}", text)
    gdd.page.fill("#field-name", flow["name"])
    gdd.page.select_option("#field-themes", "environnement")
    gdd.shot("new-dataset")
    gdd.page.click("button[name=save]")
    gdd.page.wait_for_load_state()
    with gdd.page.expect_file_chooser() as chooser:
        gdd.page.click("#resource-upload-button")
    chooser.value.set_files(str(csv_file))
    gdd.page.fill("#field-name_translated-fr", "Mesures 2024")
    gdd.shot("upload")
    gdd.page.click("button[name=save][value=go-metadata]")
    gdd.page.wait_for_load_state()
    gdd.shot("saved")
    assert gdd.page.url.endswith(f"/dataset/{flow['name']}"), gdd.page.url
    assert gdd.page.get_attribute("[data-status]", "data-status") == "draft"
    gdd.page.click("button[value=submit]")
    gdd.page.wait_for_load_state()
    assert gdd.page.get_attribute("[data-status]", "data-status") == "in_review"
    gdd.shot("submitted")
    gdd.assert_clean()
    gdd.close()

    rod = Visitor(browser, live_server, "2-rod", folder)
    rod.login(prefix, portal["rod_hcp"].user["name"])
    rod.page.goto(f"{prefix}/dataset/{flow['name']}")
    rod.shot("review")
    rod.page.click("button[value=publish]")
    rod.page.wait_for_load_state()
    assert rod.page.get_attribute("[data-status]", "data-status") == "published"
    rod.shot("published")
    rod.assert_clean()
    rod.close()

    visitor = Visitor(browser, live_server, "3-public", folder)
    visitor.page.goto(f"{prefix}/dataset/?q={flow['search']}")
    visitor.shot("search")
    visitor.page.click(f"a[href$='/dataset/{flow['name']}']")
    visitor.page.wait_for_load_state()
    visitor.shot("dataset")
    resource_link = visitor.page.locator("a[href*='/resource/']").first.get_attribute("href")
    visitor.page.goto(resource_link)
    visitor.shot("resource")
    download = visitor.page.locator("a[href*='/download/']").first.get_attribute("href")
    response = visitor.context.request.get(download)
    assert response.status == 200
    assert response.text() == CSV
    visitor.assert_clean()
    visitor.close()
