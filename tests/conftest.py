"""Shared fixtures of the portal's test suite (CKAN's pytest plugin provides app, clean_db...)."""

import pytest

# The plugins of the running portal (config/machine.py's PLUGINS, less the harvesters).
PORTAL_PLUGINS = (
    "activity datastore datatables_view text_view image_view datagovma_tracking datagovma datagovma_speedups "
    "datagovma_preview scheming_datasets scheming_organizations scheming_groups dcat structured_data harvest"
)
# The same portal without its optional speed-ups over core (speedups.py).
PLUGINS_WITHOUT_SPEEDUPS = PORTAL_PLUGINS.replace(" datagovma_speedups", "")


@pytest.fixture
def served():
    """Starts local servers on 127.0.0.1 (sources, redirectors...); each is stopped at the end of
    the test."""
    started = []

    def start(server):
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sysadmin_headers():
    from ckan.tests import factories

    user = factories.SysadminWithToken()
    return {"Authorization": user["token"]}


@pytest.fixture
def clean_db(reset_db, migrate_db_for, ckan_config):
    """CKAN's clean_db, plus the migrations of the loaded plugins that have tables of their own."""
    reset_db()
    plugins = ckan_config.get("ckan.plugins") or []
    loaded = set(plugins.split() if isinstance(plugins, str) else plugins)
    for plugin in ("activity", "harvest", "tracking"):
        if plugin in loaded:
            migrate_db_for(plugin)
    if "datagovma_tracking" in loaded:
        from ckanext.datagovma import tracking

        tracking.migrate()


from .portal_fixtures import portal  # noqa: E402,F401 - the producers, RODs and GdDs of the tests
