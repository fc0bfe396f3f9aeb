"""pytest plugin: runs the real search service for a test session.

With ``--search-schema`` (a path, or ``ckan`` for the schema shipped in the ckan package) the
plugin starts `datagovma-search` on a free port before CKAN's own plugin reads its ini, and hands
CKAN a session ini that inherits the given one (``use = config:...``) and sets ``solr_url`` to the
service, so that CKAN's CLI tests (which reload the ini) and ``ckan_config("solr_url", ...)``
markers both behave as with a fixed Solr. A search service that does not start stops the
session; a test that CKAN skips because "Solr" is unreachable is turned into a failure, never a
silent skip.
"""

import os
import shutil
import tempfile

import pytest

from .process import SearchProcess, ckan_schema_path

_service = None


def pytest_addoption(parser):
    group = parser.getgroup("datagovma-search")
    group.addoption(
        "--search-schema",
        default=None,
        help="start the search service with this schema.xml ('ckan' = CKAN's shipped one)",
    )
    group.addoption("--search-data-dir", default=None, help="data directory of that service (default: a temp dir)")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    global _service
    schema = session.config.getoption("search_schema")
    if not schema or hasattr(session.config, "workerinput") and os.environ.get("CKAN_SOLR_URL"):
        return
    if schema == "ckan":
        schema = ckan_schema_path()
    data_dir = session.config.getoption("search_data_dir") or tempfile.mkdtemp(prefix="datagovma-search-")
    if os.path.isdir(data_dir):
        shutil.rmtree(data_dir)
    try:
        _service = SearchProcess(os.path.abspath(schema), data_dir).start()
    except RuntimeError as exc:
        pytest.exit(f"the search service could not start: {exc}", returncode=3)
    ckan_ini = getattr(session.config.option, "ckan_ini", None)
    if ckan_ini:
        session_ini = os.path.join(data_dir, "ckan-session.ini")
        with open(session_ini, "w") as handle:
            handle.write(f"[app:main]\nuse = config:{os.path.abspath(ckan_ini)}\nsolr_url = {_service.url}\n")
        session.config.option.ckan_ini = session_ini


def pytest_sessionfinish(session):
    if _service is not None:
        _service.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and isinstance(report.longrepr, tuple) and "solr" in str(report.longrepr[2]).lower():
        report.outcome = "failed"
        report.longrepr = f"skipped because the search service is unreachable: {report.longrepr[2]}"


@pytest.fixture(scope="session")
def search_service():
    """The running search service (its ``url``, ``data_dir``...)."""
    if _service is None:
        pytest.fail("no search service: run pytest with --search-schema (make test does)")
    return _service
