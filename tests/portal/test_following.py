"""am_following_dataset and package_show (chained in speedups.py): CKAN's own answers, without
looking the dataset up again, nor a user named "", to tell a visitor who is not logged in that
they follow nothing. (am_following_group: test_group_show.py.)"""

import sys

import pytest
from ckan import model
from ckan.logic.action import get as core_get

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import Api, publish

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]


@pytest.fixture
def published(portal):
    return publish(portal, name="population-regions")


def core_error(app, action, **data_dict):
    """The exception CKAN's own action raises, called directly, for a visitor not logged in."""
    with app.flask_app.test_request_context():
        with pytest.raises(Exception) as raised:
            getattr(core_get, action)({"model": model, "session": model.Session, "user": ""}, data_dict)
    return raised


@pytest.mark.parametrize("ref", ["population-regions", "by id", "inconnu", "", None])
def test_am_following_dataset_for_a_visitor_not_logged_in_is_cores_answer(app, portal, published, ref):
    data = {} if ref is None else {"id": published["id"] if ref == "by id" else ref}
    expected = core_error(app, "am_following_dataset", **data)
    if expected.typename == "NotAuthorized":
        ours = portal["anonymous"].call("am_following_dataset", status=403, **data)["error"]
        assert ours["__type"] == "Authorization Error"
    else:
        assert expected.typename == "ValidationError"
        ours = portal["anonymous"].call("am_following_dataset", status=409, **data)["error"]
        assert {k: v for k, v in ours.items() if k != "__type"} == expected.value.error_dict


def test_am_following_dataset_for_a_logged_in_user_is_cores_answer(app, portal, published):
    from ckan.tests import factories

    follower, other = (Api(app, factories.UserWithToken(image_url="")["token"]) for _ in range(2))
    follower.ok("follow_dataset", id="population-regions")
    assert follower.ok("am_following_dataset", id="population-regions") is True
    assert other.ok("am_following_dataset", id=published["id"]) is False


@pytest.mark.parametrize("action", ["am_following_dataset", "package_show"])
def test_the_api_documentation_is_cores(portal, action):
    assert portal["anonymous"].ok("help_show", name=action) == getattr(core_get, action).__doc__


@pytest.fixture
def look_ups(monkeypatch):
    """Who asks model.Package.get and model.User.get for what: [(class, reference, caller)]."""
    asked = []
    for cls in (model.Package, model.User):
        real = cls.get.__func__

        def spy(klass, reference, *args, _real=real, **kwargs):
            asked.append((klass.__name__, reference, sys._getframe(1).f_code.co_name))
            return _real(klass, reference, *args, **kwargs)

        monkeypatch.setattr(cls, "get", classmethod(spy))
    return asked


def test_the_dataset_page_does_not_look_the_dataset_up_to_say_a_visitor_follows_nothing(app, published, look_ups):
    body = app.get("/dataset/population-regions").body
    assert "population-regions" in body
    callers = {caller for _, _, caller in look_ups}
    assert "package_show" in callers  # the page's own look-up, by the name in its address
    # core's am_following_dataset validated the name (model.Package.get again) and looked up a
    # user named ""
    assert "convert_package_name_or_id_to_id" not in callers
    assert not [ref for cls, ref, _ in look_ups if cls == "User"], look_ups


def test_a_dataset_shown_then_deleted_in_another_request_is_looked_up_again(app, portal, published):
    """What one request found is not kept for the next: the dataset deleted meanwhile is unknown."""
    assert app.get("/dataset/population-regions").status_code == 200
    portal["sysadmin"].ok("dataset_purge", id="population-regions")
    error = portal["anonymous"].call("am_following_dataset", status=409, id="population-regions")["error"]
    assert error["id"]
    app.get("/dataset/population-regions", status=404)


def test_a_request_context_pushed_by_a_command_remembers_nothing(app, published):
    """ckanext-harvest's consumers run for days inside one test_request_context, creating and
    purging datasets: what they find is not kept there, so a purged name is unknown again."""
    import ckan.plugins.toolkit as tk
    from flask import g

    with app.flask_app.test_request_context():
        shown = tk.get_action("package_show")({"ignore_auth": True}, {"id": "population-regions"})
        assert shown["id"] == published["id"] and g.get("_datagovma_found") is None
        tk.get_action("dataset_purge")({"ignore_auth": True}, {"id": "population-regions"})
        with pytest.raises(tk.ValidationError):
            tk.get_action("am_following_dataset")({"user": ""}, {"id": "population-regions"})
