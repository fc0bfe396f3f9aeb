"""h.check_access answered once per page for the same question (helpers.check_access): the same
pages, and the same buttons for those who may use them."""

import pytest
from ckan import logic
from ckan.lib import helpers

from ..conftest import PORTAL_PLUGINS
from ..portal_fixtures import PASSWORD, comparable_page, publish

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("portal")]


@pytest.fixture
def dataset(portal):
    portal["sysadmin"].ok("group_create", name="societe", title_translated={"fr": "Société"})
    resources = [{"url": f"http://127.0.0.1/t{n}.csv", "format": "csv", "name_translated": {"fr": f"T{n}"}}
                 for n in range(3)]
    return publish(portal, resources=resources)


@pytest.fixture
def asked(monkeypatch):
    """The questions core's authorization layer answers (each still answered)."""
    questions = []
    real = logic.check_access

    def spy(action, context, data_dict=None):
        questions.append(action)
        return real(action, context, data_dict)

    monkeypatch.setattr(logic, "check_access", spy)
    return questions


def login(app, name):
    app.post("/user/login", data={"login": name, "password": PASSWORD})


@pytest.mark.parametrize("user", [None, "gdd-hcp", "gdd-sante"])
def test_the_dataset_page_asks_each_question_once_and_is_unchanged(app, dataset, asked, monkeypatch, user):
    if user:
        login(app, user)
    path = f"/dataset/{dataset['name']}"
    ours = app.get(path).body
    our_questions = list(asked)
    asked.clear()
    monkeypatch.setitem(helpers.helper_functions, "check_access", helpers.check_access)  # core's helper alone
    cores = app.get(path).body
    assert comparable_page(ours) == comparable_page(cores)
    assert our_questions.count("package_update") == 1 < asked.count("package_update")
    may_edit = f'href="/dataset/edit/{dataset["name"]}"' in ours
    assert may_edit == (user == "gdd-hcp")  # the producer's GdD, not another producer's nor a visitor
