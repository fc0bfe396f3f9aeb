"""The portal without its optional speed-ups (plugin datagovma_speedups, speedups.py) answers the
same: the same pages and the same API answers, for anonymous visitors and signed-in users. The
speed-ups only save work; turning them off must never change what anyone sees."""

import difflib
import re

from ..conftest import PLUGINS_WITHOUT_SPEEDUPS, PORTAL_PLUGINS
from ..portal_fixtures import comparable_page, make_people, publish

PAGES = ["/", "/dataset/", "/ar/dataset/", "/dataset/population-legale-regions-2024",
         "/ar/dataset/population-legale-regions-2024", "/organization/haut-commissariat-au-plan",
         "/organization/", "/group/", "/chiffres-cles", "/dataset/?themes=societe&regions=MA-01"]
CALLS = [("package_show", {"id": "population-legale-regions-2024"}),
         ("organization_show", {"id": "haut-commissariat-au-plan"}),
         ("organization_show", {"id": "haut-commissariat-au-plan", "include_datasets": True}),
         ("group_follower_count", {"id": "haut-commissariat-au-plan"}),
         ("am_following_dataset", {"id": "population-legale-regions-2024"}),
         ("resource_view_list", {"id": None}),
         ("package_show", {"id": "does-not-exist"}),
         ("organization_show", {"id": "does-not-exist"})]


def _stable(text):
    """A page or answer without what differs at each rendering (tokens, times of this run)."""
    text = comparable_page(text)
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", text)
    return re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?", "<time>", text)


def _seen(app, portal):
    dataset = publish(portal)
    resource = dataset["resources"][0]["id"]
    people = {api.user["fullname"]: f"<{who}>" for who, api in portal.items() if hasattr(api, "user")}

    def stable(text):  # factories give the same accounts other full names at each run
        for fullname, placeholder in people.items():
            text = text.replace(fullname, placeholder)
        return _stable(text)

    seen = {}
    for who in ("anonymous", "gdd_hcp"):
        headers = portal[who].headers
        for page in PAGES:
            response = app.get(page, headers=headers, status=None)
            seen[(who, page)] = (response.status_code, stable(response.body))
        for action, params in CALLS:
            given = {k: (resource if v is None else v) for k, v in params.items()}
            body = portal[who].call(action, status=None, **given)
            body.pop("help", None)
            seen[(who, action, tuple(sorted(params.items(), key=str)))] = stable(repr(body))
    return seen


def _run_with(request, plugins):
    """What the portal shows with these plugins: a new database, index and application."""
    request.getfixturevalue("ckan_config")["ckan.plugins"] = plugins
    request.getfixturevalue("with_plugins")
    return _seen(request.getfixturevalue("app"), request.getfixturevalue("portal"))


def test_the_portal_answers_the_same_without_its_speedups(request):
    with_them = _run_with(request, PORTAL_PLUGINS)
    assert len(with_them) == 2 * (len(PAGES) + len(CALLS))
    assert all(with_them[(who, page)][0] == 200 for who in ("anonymous", "gdd_hcp") for page in PAGES[:3])
    without = _seen_without(request)
    assert len(without) == len(with_them)
    differing = {key: _difference(with_them[key], without.get(key)) for key in with_them
                 if with_them[key] != without.get(key)}
    assert differing == {}, "\n".join(f"{key}: {lines}" for key, lines in differing.items())


def _difference(one, other):
    one, other = (str(x[1] if isinstance(x, tuple) else x) for x in (one, other))
    return [line for line in difflib.unified_diff(one.splitlines(), other.splitlines(), lineterm="", n=0)][2:12]


def _seen_without(request):
    """The same, after unloading the speed-ups: a new database, index and application."""
    from ckan import plugins
    from ckan.lib import search
    from ckan.tests.helpers import _get_test_app

    plugins.unload("datagovma_speedups")
    request.getfixturevalue("ckan_config")["ckan.plugins"] = PLUGINS_WITHOUT_SPEEDUPS
    try:
        request.getfixturevalue("reset_db")()
        for plugin in ("activity", "harvest"):
            request.getfixturevalue("migrate_db_for")(plugin)
        from ckanext.datagovma import tracking

        tracking.migrate()
        search.clear_all()
        app = _get_test_app()
        assert not plugins.plugin_loaded("datagovma_speedups")
        return _seen(app, make_people(app))
    finally:
        plugins.load("datagovma_speedups")
