"""The dataset page's route (views.read, in place of ckanext-dcat's) and the look-ups behind it:
package_show and resource_view_list, chained in speedups.py, give CKAN's own answers while a
page reads the dataset once and the views of all its resources at once."""

import io
import json

import pytest
from ckan import model
from ckan.logic.action import get as core_get
from rdflib import Graph
from rdflib.namespace import DCAT, RDF
from sqlalchemy import event

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import complete_dataset, publish

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]

CSV = "Région;Population\nOriental;2294665\n".encode()


@pytest.fixture
def dataset(app, portal):
    """A published dataset with three resources: two CSV files stored by the portal (each gets a
    preview) between which sits a link to another site (no preview)."""
    created = publish(portal, name="population-regions", resources=[])
    for name, upload in (("premier.csv", True), ("ailleurs", False), ("second.csv", True)):
        data = {"package_id": created["id"], "format": "CSV", "name_translated": json.dumps({"fr": name})}
        if upload:
            data["upload"] = (io.BytesIO(CSV), name)
        else:
            data["url"] = "http://127.0.0.1/ailleurs.csv"
        app.post("/api/3/action/resource_create", headers=portal["gdd_hcp"].headers, data=data)
    return portal["anonymous"].ok("package_show", id=created["id"])


@pytest.fixture
def statements(app):
    """The SQL statements sent while it is active: [statement]."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(statement.split()))

    event.listen(model.meta.engine, "before_cursor_execute", record)
    yield sent
    event.remove(model.meta.engine, "before_cursor_execute", record)


def test_the_page_offers_a_preview_exactly_for_the_resources_that_have_one(app, dataset):
    body = app.get("/dataset/population-regions").body
    order = [body.index(r["id"]) for r in dataset["resources"]]
    assert order == sorted(order)
    previews = {r["id"]: bool(portal_views(app, r["id"])) for r in dataset["resources"]}
    assert list(previews.values()) == [True, False, True]
    for resource in dataset["resources"]:
        item = body[body.index(f'data-id="{resource["id"]}"'):]
        item = item[:item.index("</li>\n", item.index("dropdown-menu"))]
        label = "Aperçu" if previews[resource["id"]] else "Plus d'information"
        assert label in item, (resource["url"], item)


def portal_views(app, resource_id):
    with app.flask_app.test_request_context():
        return core_get.resource_view_list({"model": model, "session": model.Session, "user": "",
                                            "ignore_auth": True}, {"id": resource_id})


def test_the_page_reads_the_dataset_once_and_the_views_of_all_its_resources_at_once(app, dataset, statements):
    app.get("/dataset/population-regions")
    from_package = [s for s in statements if " FROM package " in s]
    assert len(from_package) == 1, from_package  # core: four (two look-ups, each trying the name as an id)
    views = [s for s in statements if "FROM resource_view" in s or "JOIN resource_view" in s]
    assert len(views) == 1, views  # core: one per resource, after one query for the resource itself
    assert not [s for s in statements if s.startswith("SELECT resource.id") and "WHERE resource.id =" in s]


def test_the_api_lists_a_resources_views_as_core_does(app, portal, dataset):
    for resource in dataset["resources"]:
        ours = portal["anonymous"].ok("resource_view_list", id=resource["id"])
        assert ours == portal_views(app, resource["id"])
    error = portal["anonymous"].call("resource_view_list", status=404, id="inconnue")["error"]
    assert error["__type"] == "Not Found Error"


def test_a_resource_page_shows_its_preview(app, dataset):
    resource = dataset["resources"][0]
    body = app.get(f"/dataset/population-regions/resource/{resource['id']}").body
    assert '<td dir="auto">Oriental</td>' in body


@pytest.mark.parametrize("ref", ["population-regions", "by id"])
def test_package_show_finds_a_dataset_by_name_or_by_id(portal, dataset, ref):
    shown = portal["anonymous"].ok("package_show", id=dataset["id"] if ref == "by id" else ref)
    assert shown["id"] == dataset["id"] and shown["name"] == "population-regions"


def test_an_id_wins_over_a_name_as_in_core(portal, dataset):
    """A dataset named as another's id: the one with that id is shown, as model.Package.get does."""
    other = publish(portal, name="autre-jeu")
    # a name looks like an id only through the database (the API refuses such names)
    named_as_id = model.Session.query(model.Package).filter_by(id=other["id"]).one()
    named_as_id.name = dataset["id"]
    model.Session.commit()
    assert portal["anonymous"].ok("package_show", id=dataset["id"])["id"] == dataset["id"]


@pytest.mark.parametrize("ref, status", [("inconnu", 404), ("", 409), (["population-regions"], 409), (7, 409),
                                         ({"id": "population-regions"}, 409)])
def test_package_show_answers_a_bad_reference_with_an_error_not_a_500(portal, dataset, ref, status):
    answer = portal["anonymous"].call("package_show", status=status, id=ref)
    assert answer["success"] is False
    if not isinstance(ref, str):
        # the portal speaks French by default
        assert answer["error"]["id"] == ["Doit être une valeur de chaîne Unicode"]


def test_a_draft_is_not_shown_to_visitors(app, portal):
    draft = portal["gdd_hcp"].ok("package_create", **complete_dataset(name="brouillon"))
    app.get(f"/dataset/{draft['name']}", status=404)
    page = app.get(f"/dataset/{draft['name']}", headers=portal["gdd_hcp"].headers)
    assert draft["name"] in page.body


def test_the_page_by_id_redirects_to_the_page_by_name(app, dataset):
    response = app.get(f"/dataset/{dataset['id']}", follow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/dataset/population-regions")


def test_unknown_dataset_is_a_404_page_in_the_readers_language(app, dataset):
    """CKAN's catalogues leave this message of core's untranslated; ours give it."""
    assert "Jeu de données introuvable, ou que vous n" in app.get("/dataset/inconnu", status=404).body
    arabic = app.get("/ar/dataset/inconnu", status=404).body
    assert "مجموعة البيانات غير موجودة أو لا تملك صلاحية الاطلاع عليها" in arabic


@pytest.mark.parametrize("accept, rdf_format", [("text/turtle", "turtle"), ("application/ld+json", "json-ld")])
def test_the_dataset_address_answers_rdf_when_asked_for_it(app, dataset, accept, rdf_format):
    response = app.get("/dataset/population-regions", headers={"Accept": accept})
    assert response.headers["Content-Type"].startswith(accept)
    graph = Graph().parse(data=response.body, format=rdf_format)
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 1


def test_the_creation_form_is_not_taken_for_a_dataset_named_new(app, portal):
    page = app.get("/dataset/new", headers=portal["gdd_hcp"].headers)
    assert 'id="dataset-edit"' in page.body


def additional_info_rows(body):
    """{label: value text} of the dataset page's "additional info" table."""
    import re

    table = body[body.index('<section class="additional-info">'):]
    table = table[:table.index("</section>")]
    rows = re.findall(r'<th scope="row" class="dataset-label">(.*?)</th>\s*<td class="dataset-details"[^>]*>(.*?)</td>',
                      table, flags=re.S)
    return {label.strip(): re.sub(r"<[^>]+>", " ", value).split() for label, value in rows}


@pytest.mark.parametrize("prefix, provinces_label, cndp_label", [
    ("", "Provinces et préfectures", "Référence CNDP"), ("/ar", "الأقاليم والعمالات", "مرجع اللجنة الوطنية")])
def test_the_additional_info_lists_the_fields_that_have_a_value(app, portal, prefix, provinces_label, cndp_label):
    publish(portal, name="national", spatial_coverage="national", regions=[], provinces=[], rod_name="", gdd_name="")
    publish(portal, name="deux-provinces")
    national = additional_info_rows(app.get(f"{prefix}/dataset/national").body)
    assert not [label for label in national if label.startswith(provinces_label)], national
    assert not [label for label in national if label.startswith(cndp_label)], national
    assert all(values for values in national.values()), national  # no empty row
    provinces = additional_info_rows(app.get(f"{prefix}/dataset/deux-provinces").body)
    assert [values for label, values in provinces.items() if label.startswith(provinces_label)][0]


def heading_and_description(body):
    heading = body[body.index("<h1>"):body.index("</h1>")]
    notes = body[body.index('<div class="notes embedded-content"'):]
    notes = notes[:notes.index("</div>") + len("</div>") + 200]
    return heading, notes


def test_title_and_description_are_in_the_readers_language_with_their_language_marked(app, portal):
    publish(portal, name="bilingue")
    heading, notes = heading_and_description(app.get("/ar/dataset/bilingue").body)
    assert '<span lang="ar" dir="rtl">السكان القانونيون للجهات</span>' in heading
    assert '<div class="notes embedded-content" lang="ar" dir="rtl">' in notes and "نتائج إحصاء 2024." in notes
    assert "غير متوفر بهذه اللغة" not in heading + notes
    heading, notes = heading_and_description(app.get("/dataset/bilingue").body)
    assert '<span lang="fr" dir="ltr">Population légale des régions</span>' in heading
    assert "non disponible" not in heading + notes


def test_a_title_and_description_missing_in_arabic_are_shown_in_french_and_marked(app, portal):
    publish(portal, name="en-francais", title_translated={"fr": "Budget de l'État"},
            notes_translated={"fr": "Lois de finances, par **ministère**."})
    body = app.get("/ar/dataset/en-francais").body
    heading, notes = heading_and_description(body)
    assert '<span lang="fr" dir="ltr">Budget de l&#39;État</span>' in heading
    assert "(غير متوفر بهذه اللغة)" in heading
    assert '<div class="notes embedded-content" lang="fr" dir="ltr">' in notes
    assert "<strong>ministère</strong>" in notes and "(غير متوفر بهذه اللغة)" in notes
    rows = additional_info_rows(body)
    assert not [label for label in rows if label in ("العنوان", "الوصف")], rows  # not repeated below


def test_a_description_rendered_for_one_language_is_not_reused_for_another(app, portal):
    """render_markdown keeps its answers per language: the addresses of tag: links carry it."""
    publish(portal, name="avec-mot-cle", notes_translated={"fr": "Voir aussi tag:recensement et **plus**."})
    for _ in range(2):
        _, arabic = heading_and_description(app.get("/ar/dataset/avec-mot-cle").body)
        _, french = heading_and_description(app.get("/dataset/avec-mot-cle").body)
        assert 'href="/ar/dataset/?tags=recensement"' in arabic and "<strong>plus</strong>" in arabic
        assert 'href="/dataset/?tags=recensement"' in french and "/ar/" not in french
