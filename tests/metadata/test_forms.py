"""The dataset form: one input per language, Arabic right to left, and what it posts is saved."""

import pytest

from ..conftest import PORTAL_PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]


def test_the_new_dataset_form_has_one_input_per_language(app, portal):
    page = app.get("/dataset/new", headers=portal["gdd_hcp"].headers)
    assert page.status_code == 200
    body = page.body
    assert 'name="title_translated-fr"' in body
    assert 'name="title_translated-ar"' in body
    arabic_input = body[body.index('name="title_translated-ar"') - 300 : body.index('name="title_translated-ar"') + 200]
    assert 'dir="rtl"' in arabic_input and 'lang="ar"' in arabic_input


def test_the_form_fields_are_saved_as_multilingual_values(app, portal):
    resp = app.post(
        "/dataset/new",
        headers=portal["gdd_hcp"].headers,
        data={
            "title_translated-fr": "Qualité de l'air",
            "title_translated-ar": "جودة الهواء",
            "notes_translated-ar": "قياسات يومية",
            "name": "qualite-air",
            "owner_org": "haut-commissariat-au-plan",
            "themes": "environnement",
            "spatial_coverage": "national",
            "license_id": "odc-odbl",
            "classification": "non-classifie",
            "personal_data": "aucune",
            "save": "continue",
        },
    )
    assert resp.status_code == 200
    shown = portal["gdd_hcp"].ok("package_show", id="qualite-air")
    assert shown["title_translated"] == {"fr": "Qualité de l'air", "ar": "جودة الهواء"}
    assert shown["notes_translated"] == {"ar": "قياسات يومية"}
    assert shown["publication_status"] == "draft"


def test_a_form_error_is_shown_beside_the_field_in_the_readers_language(app, portal):
    resp = app.post(
        "/dataset/new",
        headers=portal["gdd_hcp"].headers,
        data={
            "notes_translated-fr": "Sans titre",
            "name": "sans-titre",
            "owner_org": "haut-commissariat-au-plan",
            "themes": "environnement",
            "spatial_coverage": "national",
            "save": "continue",
        },
    )
    assert resp.status_code == 200
    assert "error-block" in resp.body
    assert portal["sysadmin"].call("package_show", status=404, id="sans-titre")
