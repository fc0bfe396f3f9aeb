"""The portal's JavaScript and CSS bundles (assets.py): built when a process starts, then served at
the same versioned URLs without CKAN checking their sources at each page."""

import re

import pytest
from ckan.lib import webassets_tools

from ckanext.datagovma import assets

from ..conftest import PORTAL_PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("with_plugins")]


def asset_urls(body):
    return re.findall(r'(?:src|href)="(/webassets/[^"]+)"', body)


@pytest.mark.parametrize("path", ["/", "/dataset/", "/ar/dataset/"])
def test_pages_link_built_bundles_that_are_served(app, path):
    assert webassets_tools.env.auto_build is False
    urls = asset_urls(app.get(path).body)
    assert any(u.endswith(".js") or ".js?" in u for u in urls) and any(".css" in u for u in urls), urls
    for url in urls:
        resp = app.get(url)
        assert resp.status_code == 200 and len(resp.body) > 0, url


def test_a_missing_bundle_is_built_at_start_and_keeps_its_url(app, tmp_path, monkeypatch, ckan_config):
    env = webassets_tools.env
    before = {bundle.output: bundle.urls() for bundle in env}
    monkeypatch.setattr(env, "directory", str(tmp_path))  # nothing built there yet
    monkeypatch.setattr(env, "auto_build", True)
    assert assets.build_once() == len(before)
    assert env.auto_build is False
    # the same sources give the same versioned URLs, and each names a file built in the new place
    assert {bundle.output: bundle.urls() for bundle in env} == before
    prefix = ckan_config["ckan.webassets.url"].rstrip("/") + "/"
    for url in (url for urls in before.values() for url in urls):
        built = tmp_path / url.split("?")[0].removeprefix(prefix)
        assert built.is_file() and built.stat().st_size > 0, url


def test_with_debug_on_ckan_checks_at_each_page(app, monkeypatch, ckan_config):
    monkeypatch.setattr(webassets_tools.env, "auto_build", True)
    monkeypatch.setitem(ckan_config, "debug", True)
    assert assets.build_once() is None
    assert webassets_tools.env.auto_build is True


def test_a_bundle_that_does_not_build_leaves_cores_check_on(app, monkeypatch):
    env = webassets_tools.env
    monkeypatch.setattr(env, "auto_build", True)
    bundle = next(iter(env))

    def broken():
        raise OSError("disque plein")

    monkeypatch.setattr(bundle, "urls", broken)
    assert assets.build_once() is None
    assert env.auto_build is True
