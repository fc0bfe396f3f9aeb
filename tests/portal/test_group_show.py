"""organization_show, group_show, group_follower_count and am_following_group (chained in
speedups.py): CKAN's own answers, without the search core runs for the dataset counts of
sub-groups when a producer or theme has none, and without looking the same producer up again and
again while one page is built."""

import pytest
from ckan import model
from ckan.lib.dictization import model_dictize
from ckan.logic.action import get as core_get

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import Api, complete_dataset

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]


@pytest.fixture
def counted(monkeypatch):
    """Counts core's search for all groups' dataset counts; the search itself still runs."""
    calls = []
    real = model_dictize.get_group_dataset_counts

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(model_dictize, "get_group_dataset_counts", spy)
    return calls


@pytest.fixture
def with_datasets(portal):
    portal["sysadmin"].ok("group_create", name="societe", title_translated={"fr": "Société", "ar": "مجتمع"})
    for name in ("population-regions", "menages-2024"):
        dataset = portal["gdd_hcp"].ok("package_create", **complete_dataset(name=name))
        portal["gdd_hcp"].ok("datagovma_dataset_submit", id=dataset["id"])
        portal["rod_hcp"].ok("datagovma_dataset_publish", id=dataset["id"])
    return portal


def core_answer(app, action, **data_dict):
    """What CKAN's own action answers, called directly, as an anonymous visitor."""
    with app.flask_app.test_request_context():
        context = {"model": model, "session": model.Session, "user": ""}
        return getattr(core_get, action)(context, data_dict)


@pytest.mark.parametrize("action,name", [("organization_show", "haut-commissariat-au-plan"),
                                         ("group_show", "societe")])
def test_a_producer_or_theme_without_sub_groups_gets_cores_answer_without_the_count_search(
        app, with_datasets, counted, action, name):
    ours = with_datasets["anonymous"].ok(action, id=name)
    assert counted == []
    expected = core_answer(app, action, id=name)
    assert len(counted) == 1  # core searched, for an empty list
    assert ours == expected
    assert ours["groups"] == [] and ours["package_count"] == 2


def test_a_group_with_a_sub_group_lists_it_as_core_does(app, with_datasets, counted):
    sysadmin = with_datasets["sysadmin"]
    sysadmin.ok("group_create", name="demographie", title_translated={"fr": "Démographie"})
    sysadmin.ok("member_create", id="societe", object="demographie", object_type="group", capacity="public")
    ours = with_datasets["anonymous"].ok("group_show", id="societe")
    assert [g["name"] for g in ours["groups"]] == ["demographie"]
    assert ours == core_answer(app, "group_show", id="societe")
    sysadmin.ok("member_delete", id="societe", object="demographie", object_type="group")
    ours = with_datasets["anonymous"].ok("group_show", id=ours["id"])  # by id, this time
    assert ours["groups"] == []
    assert ours == core_answer(app, "group_show", id="societe")


def test_the_producer_page_lists_its_datasets_without_the_count_search(app, with_datasets, counted):
    body = app.get("/organization/haut-commissariat-au-plan").body
    assert "population-regions" in body and "menages-2024" in body
    assert counted == []


@pytest.fixture
def searches(monkeypatch):
    """The searches sent to the search service: [fq of each]."""
    from ckan.lib.search import query

    sent = []
    real = query.PackageSearchQuery.run

    def spy(self, query_dict, *args, **kwargs):
        sent.append(query_dict.get("fq"))
        return real(self, query_dict, *args, **kwargs)

    monkeypatch.setattr(query.PackageSearchQuery, "run", spy)
    return sent


@pytest.fixture
def statements():
    """The SQL statements sent while it is active."""
    from sqlalchemy import event

    sent = []

    def record(conn, cursor, statement, *args):
        sent.append(statement)

    event.listen(model.meta.engine, "before_cursor_execute", record)
    yield sent
    event.remove(model.meta.engine, "before_cursor_execute", record)


@pytest.mark.parametrize("prefix", ["", "/ar"])
def test_the_producer_page_searches_its_datasets_once(app, with_datasets, searches, statements, prefix):
    """Core counted the producer's datasets for organization_show (a search the page never shows)
    before searching them for the listing, whose own count the page prints."""
    body = app.get(f"{prefix}/organization/haut-commissariat-au-plan").body
    assert len(searches) == 1, searches
    assert not [q for q in statements if "user_following_group" in q]  # nor its followers counted
    assert "population-regions" in body and "menages-2024" in body
    assert ("2 jeux de données trouvés" if not prefix else "2") in body
    filtered = app.get(f"{prefix}/organization/haut-commissariat-au-plan", query_string={"q": "menages"}).body
    assert "menages-2024" in filtered and "population-regions" not in filtered


def test_other_callers_still_get_the_producers_dataset_count(app, with_datasets):
    anonymous = with_datasets["anonymous"]
    shown = anonymous.ok("organization_show", id="haut-commissariat-au-plan")
    assert shown["package_count"] == 2 and shown["num_followers"] == 0
    assert app.get("/organization/about/haut-commissariat-au-plan").status_code == 200


@pytest.mark.parametrize("data", [{"include_groups": "false"}, {"include_groups": True},
                                  {"include_dataset_count": "false"}])
def test_explicit_options_get_cores_answer(app, with_datasets, data):
    ours = with_datasets["anonymous"].ok("organization_show", id="haut-commissariat-au-plan", **data)
    assert ours == core_answer(app, "organization_show", id="haut-commissariat-au-plan", **data)


@pytest.mark.parametrize("data,status,message", [
    ({"id": "haut-commissariat-au-plan", "include_groups": "peut-etre"}, 409, "pas un booléen"),
    ({"id": "producteur-inconnu"}, 404, "Indisponible"),
    ({"id": ["haut-commissariat-au-plan"]}, 409, "Doit être une valeur de chaîne Unicode"),  # core: 500
    ({"id": 42}, 409, "Doit être une valeur de chaîne Unicode"),
    ({}, 409, "Valeur manquante"),
])
def test_bad_input_gets_a_clear_error_in_the_readers_language(with_datasets, data, status, message):
    error = with_datasets["anonymous"].call("organization_show", status=status, **data)["error"]
    assert message in str(error)


@pytest.mark.parametrize("action", ["organization_show", "group_show", "group_follower_count",
                                    "am_following_group"])
def test_the_api_documentation_is_cores(with_datasets, action):
    assert with_datasets["anonymous"].ok("help_show", name=action) == getattr(core_get, action).__doc__


def test_follower_counts_are_cores(app, with_datasets):
    from ckan.tests import factories

    sysadmin, anonymous = with_datasets["sysadmin"], with_datasets["anonymous"]
    for n in range(3):
        user = factories.UserWithToken(name=f"lecteur-{n}", image_url="")
        Api(app, user["token"]).ok("follow_group", id="haut-commissariat-au-plan")
    sysadmin.ok("user_delete", id="lecteur-1")  # a deleted user no longer counts
    for ref in ("haut-commissariat-au-plan", sysadmin.ok("organization_show", id="haut-commissariat-au-plan")["id"]):
        ours = anonymous.ok("group_follower_count", id=ref)
        assert ours == core_answer(app, "group_follower_count", id=ref) == 2
    assert anonymous.ok("organization_show", id="haut-commissariat-au-plan")["num_followers"] == 2
    assert anonymous.ok("group_follower_count", id="societe") == 0
    for data, status in (({"id": "inconnu"}, 409), ({}, 409)):
        ours = anonymous.call("group_follower_count", status=status, **data)["error"]
        with pytest.raises(Exception) as core_error:
            core_answer(app, "group_follower_count", **data)
        assert ours["__type"] == "Validation Error" and core_error.typename == "ValidationError"
        assert {k: v for k, v in ours.items() if k != "__type"} == core_error.value.error_dict


def core_error(app, action, **data_dict):
    with pytest.raises(Exception) as raised:
        core_answer(app, action, **data_dict)
    return raised


@pytest.mark.parametrize("ref", ["haut-commissariat-au-plan", "by id", "inconnu", "", None])
def test_am_following_group_for_a_visitor_not_logged_in_is_cores_answer(app, with_datasets, ref):
    if ref == "by id":
        ref = with_datasets["anonymous"].ok("organization_show", id="haut-commissariat-au-plan")["id"]
    data = {} if ref is None else {"id": ref}
    expected = core_error(app, "am_following_group", **data)
    if expected.typename == "NotAuthorized":  # the group exists: nobody to follow it
        assert with_datasets["anonymous"].call("am_following_group", status=403, **data)["error"]["__type"] == \
            "Authorization Error"
    else:  # the id is missing or unknown
        ours = with_datasets["anonymous"].call("am_following_group", status=409, **data)["error"]
        assert expected.typename == "ValidationError"
        assert {k: v for k, v in ours.items() if k != "__type"} == expected.value.error_dict


def test_am_following_group_for_a_logged_in_user_is_cores_answer(app, with_datasets):
    from ckan.tests import factories

    follower, other = (Api(app, factories.UserWithToken(image_url="")["token"]) for _ in range(2))
    follower.ok("follow_group", id="haut-commissariat-au-plan")
    assert follower.ok("am_following_group", id="haut-commissariat-au-plan") is True
    assert other.ok("am_following_group", id="haut-commissariat-au-plan") is False
    assert other.call("am_following_group", status=409, id="inconnu")["error"]["id"]


@pytest.fixture
def group_lookups(monkeypatch):
    """The references model.Group.get is asked for (the look-ups by id or name)."""
    asked = []
    real = model.Group.get.__func__

    def spy(cls, reference, *args, **kwargs):
        asked.append(reference)
        return real(cls, reference, *args, **kwargs)

    monkeypatch.setattr(model.Group, "get", classmethod(spy))
    return asked


def test_the_producer_page_looks_the_producer_up_by_its_id_once_per_question(app, with_datasets, group_lookups):
    producer = with_datasets["anonymous"].ok("organization_show", id="haut-commissariat-au-plan")
    del group_lookups[:]
    body = app.get("/organization/haut-commissariat-au-plan").body
    assert "population-regions" in body and "menages-2024" in body
    # core's organization_show and its access check, by id; before: those two by name (a failed
    # primary-key query first), the follower count's and am_following_group's validation
    assert group_lookups == [producer["id"], producer["id"]]


def test_the_producer_page_is_the_same_for_a_follower(app, with_datasets):
    from ckan.tests import factories

    user = factories.UserWithToken(image_url="")
    Api(app, user["token"]).ok("follow_group", id="haut-commissariat-au-plan")
    page = app.get("/organization/haut-commissariat-au-plan", headers={"Authorization": user["token"]}).body
    assert "population-regions" in page
    assert with_datasets["anonymous"].ok("organization_show", id="haut-commissariat-au-plan")["num_followers"] == 1
