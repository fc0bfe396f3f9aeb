"""docker-compose.yml describes production (no Docker engine runs here, so the file is checked)."""

import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CKAN_SERVICES = ("ckan", "ckan-worker", "harvest-gather", "harvest-fetch", "harvest-scheduler", "tracking")
BACKING = ("db", "solr", "redis")


@pytest.fixture(scope="module")
def compose():
    with open(os.path.join(ROOT, "docker-compose.yml")) as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def env_example():
    values = {}
    with open(os.path.join(ROOT, ".env.example")) as handle:
        for line in handle:
            if "=" in line and not line.startswith("#"):
                key, value = line.strip().split("=", 1)
                values[key] = value
    return values


def test_every_service_of_production_is_there(compose):
    services = compose["services"]
    assert set(services) == set(CKAN_SERVICES) | set(BACKING) | {"nginx"}
    assert services["solr"]["image"] == "ckan/ckan-solr:2.12-solr9"
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["nginx"]["image"].startswith("nginx:")
    commands = {name: " ".join(services[name]["command"]) for name in CKAN_SERVICES}
    assert "gunicorn" in commands["ckan"]
    assert commands["ckan-worker"] == "ckan jobs worker"
    assert commands["harvest-gather"] == "ckan harvester gather-consumer"
    assert commands["harvest-fetch"] == "ckan harvester fetch-consumer"
    assert "ckan datagovma harvest-scheduler" in commands["harvest-scheduler"]


def test_solr_uses_our_schema(compose):
    mounts = compose["services"]["solr"]["volumes"]
    assert "./config/solr/schema.xml:/opt/solr/server/solr/configsets/ckan/conf/managed-schema:ro" in mounts
    for name in ("protwords.txt", "synonyms.txt"):
        assert os.path.exists(os.path.join(ROOT, "config", "solr", name))


def test_healthchecks_and_start_order(compose):
    services = compose["services"]
    for name, service in services.items():
        assert "healthcheck" in service, name
    for name in CKAN_SERVICES:
        deps = services[name]["depends_on"]
        assert {d: deps[d]["condition"] for d in deps} == {d: "service_healthy" for d in BACKING}, name
    assert services["nginx"]["depends_on"]["ckan"]["condition"] == "service_healthy"


def test_backing_services_are_on_an_internal_network_only(compose):
    assert compose["networks"]["backend"]["internal"] is True
    for name in BACKING:
        assert compose["services"][name]["networks"] == ["backend"], name
        assert "ports" not in compose["services"][name], name
    assert compose["services"]["nginx"]["networks"] == ["frontend"]
    assert set(compose["services"]["ckan"]["networks"]) == {"backend", "frontend"}
    assert [p.split(":")[-1] for p in compose["services"]["nginx"]["ports"]] == ["80"]


def test_ckan_containers_get_every_setting_they_need(compose):
    required = {"CKAN_SQLALCHEMY_URL", "CKAN_DATASTORE_WRITE_URL", "CKAN_DATASTORE_READ_URL", "CKAN_SOLR_URL",
                "CKAN_REDIS_URL", "CKAN_SITE_URL", "CKAN_SITE_ID", "CKAN_STORAGE_PATH", "CKAN___SECRET_KEY",
                "CKAN___WTF_CSRF_SECRET_KEY", "CKAN___API_TOKEN__JWT__ENCODE__SECRET",
                "CKAN___API_TOKEN__JWT__DECODE__SECRET", "CKAN_SYSADMIN_NAME", "CKAN_SYSADMIN_PASSWORD"}
    for name in CKAN_SERVICES:
        env = compose["services"][name]["environment"]
        assert required <= set(env), (name, required - set(env))
        assert env["CKAN_SOLR_URL"] == "http://solr:8983/solr/ckan"
        assert "socket_timeout=" in env["CKAN_REDIS_URL"]  # idle harvest consumers must not time out


def test_every_variable_the_file_uses_is_in_env_example(env_example):
    with open(os.path.join(ROOT, "docker-compose.yml")) as handle:
        used = set(re.findall(r"\$\{([A-Z0-9_]+)\}", handle.read()))
    assert used - set(env_example) == set()
    dockerfile = os.path.join(ROOT, "config", "docker", "Dockerfile")
    with open(dockerfile) as handle:
        text = handle.read()
    assert "FROM ckan/ckan-base:2.12.0" in text
    assert "envvars" in text


def test_the_image_loads_the_plugins_of_make_run():
    import importlib.util

    spec = importlib.util.spec_from_file_location("machine", os.path.join(ROOT, "config", "machine.py"))
    machine = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(machine)
    with open(os.path.join(ROOT, "config", "docker", "Dockerfile")) as handle:
        image_plugins = re.search(r'CKAN__PLUGINS="([^"]+)"', handle.read())[1].split()
    assert image_plugins == ["envvars", *machine.PLUGINS.split()]
