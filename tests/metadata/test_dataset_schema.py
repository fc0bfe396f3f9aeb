"""The Moroccan dataset schema through the Action API: a complete record, today's data.gov.ma
input shape, and each bad input (409 with a field-level message, nothing written)."""

import pytest

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import complete_dataset

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]


def test_a_complete_moroccan_record_is_created_and_read_back(portal):
    gdd = portal["gdd_hcp"]
    created = gdd.ok("package_create", **complete_dataset())
    shown = gdd.ok("package_show", id=created["id"])
    assert shown["title_translated"] == {"fr": "Population légale des régions", "ar": "السكان القانونيون للجهات"}
    assert shown["title"] == "Population légale des régions"  # kept filled for CKAN's core
    assert shown["notes_translated"]["ar"] == "نتائج إحصاء 2024."
    assert shown["themes"] == ["societe"]
    assert shown["regions"] == ["MA-01", "MA-04"]
    assert shown["provinces"] == ["01.051", "04.421"]
    assert (shown["temporal_start"], shown["temporal_end"]) == ("2024-01-01", "2024-12-31")
    assert shown["frequency"] == "annual"
    assert shown["license_id"] == "odc-odbl"
    assert sorted(shown["data_languages"]) == ["ar", "fr"]
    assert shown["classification"] == "non-classifie"
    assert shown["personal_data"] == "aucune"
    assert (shown["rod_email"], shown["gdd_email"]) == ("rod@hcp.ma", "gdd@hcp.ma")
    assert {t["name"] for t in shown["tags"]} == {"recensement", "population", "السكان"}
    assert shown["resources"][0]["format"] == "CSV"
    assert shown["resources"][0]["name"] == "Tableau par région"
    assert shown["publication_status"] == "draft"
    assert shown["private"] is True


def test_todays_data_gov_ma_shape_is_accepted(portal):
    record = complete_dataset(name="ipc")
    del record["title_translated"], record["notes_translated"]
    record.update(title_fr="Indice des prix", title_ar="الرقم الاستدلالي للأثمان", notes_ar="سلسلة شهرية")
    shown = portal["gdd_hcp"].ok("package_create", **record)
    assert shown["title_translated"] == {"fr": "Indice des prix", "ar": "الرقم الاستدلالي للأثمان"}
    assert shown["notes_translated"] == {"ar": "سلسلة شهرية"}
    assert shown["notes"] == "سلسلة شهرية"


def test_cores_title_and_description_follow_their_translations(portal):
    gdd, anonymous = portal["gdd_hcp"], portal["anonymous"]
    created = gdd.ok("package_create", **complete_dataset(name="suit", title="Un autre titre"))
    assert created["title"] == "Population légale des régions"  # the French text, not the other one
    gdd.ok("package_patch", id=created["id"], title_translated={"fr": "Population 2024", "ar": "السكان 2024"},
           notes_translated={"ar": "نتائج محينة"})
    shown = gdd.ok("package_show", id=created["id"])
    assert (shown["title"], shown["notes"]) == ("Population 2024", "نتائج محينة")
    gdd.ok("datagovma_dataset_submit", id=created["id"])
    portal["rod_hcp"].ok("datagovma_dataset_publish", id=created["id"])
    found = anonymous.ok("package_search", q="name:suit", fl="title")["results"]
    assert found == [{"title": "Population 2024"}]


def test_an_arabic_only_title_is_enough(portal):
    shown = portal["gdd_hcp"].ok("package_create", **complete_dataset(name="ar-only", title_translated={"ar": "عنوان"}))
    assert shown["title"] == "عنوان"


def test_the_default_licence_is_odbl(portal):
    record = complete_dataset(name="default-licence")
    del record["license_id"]
    assert portal["gdd_hcp"].ok("package_create", **record)["license_id"] == "odc-odbl"


@pytest.mark.parametrize("overrides, field, message", [
    ({"title_translated": {"zgh": "ⵜⴰⵎⴰⵣⵉⵖⵜ"}}, "title_translated", "en français ou en arabe"),
    ({"title_translated": {}}, "title_translated", "en français ou en arabe"),
    ({"notes_translated": {"zgh": "ⴰⵎⵓⵢⵍ"}}, "notes_translated", "en français ou en arabe"),
    ({"temporal_start": "2024-06-01", "temporal_end": "2023-12-31"}, "temporal_end", "précède son début"),
    ({"provinces": ["06.141"]}, "provinces", "hors des régions choisies : 06.141"),
    ({"regions": ["MA-13"]}, "regions", "Région inconnue : MA-13"),
    ({"themes": ["astrologie"]}, "themes", "Thème inconnu : astrologie"),
    ({"rod_email": "pas-un-courriel"}, "rod_email", "pas-un-courriel"),
    ({"license_id": "proprietaire"}, "license_id", "n'est pas une licence ouverte"),
    ({"spatial_coverage": "national"}, "spatial_coverage", "ni régions ni provinces"),
    ({"spatial_coverage": "regional", "regions": [], "provinces": []}, "regions", "Choisissez les régions"),
    ({"personal_data": "personnelles"}, "cndp_reference", "CNDP"),
])
def test_bad_input_is_refused_field_by_field_and_nothing_is_written(portal, overrides, field, message):
    # the portal's default language is French (Arabic and English: see the test below)
    gdd = portal["gdd_hcp"]
    body = gdd.call("package_create", status=409, **complete_dataset(**overrides))
    errors = body["error"]
    assert field in errors, errors
    assert any(message.lower() in str(m).lower() for m in errors[field]), errors[field]
    assert portal["sysadmin"].ok("package_list") == []


@pytest.mark.parametrize("prefix, expected", [
    ("", "Région inconnue : MA-13"),
    ("/ar", "جهة غير معروفة: MA-13"),
    ("/en", "Unknown region: MA-13"),
])
def test_messages_come_in_the_users_language(app, portal, prefix, expected):
    resp = app.post(f"{prefix}/api/3/action/package_create", json=complete_dataset(regions=["MA-13"]),
                    headers=portal["gdd_hcp"].headers, status=409)
    assert expected in resp.json["error"]["regions"][0]
