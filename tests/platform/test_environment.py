"""A bad environment gets one clear sentence from the set-up (config/machine.py), never a traceback."""

import os
import socket
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MACHINE = os.path.join(ROOT, "config", "machine.py")


def machine(*args, **env):
    full_env = dict(os.environ, **{k: str(v) for k, v in env.items()})
    return subprocess.run([sys.executable, MACHINE, *args], capture_output=True, text=True, env=full_env, timeout=120)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_postgresql_unreachable(tmp_path):
    port = free_port()
    result = machine("services", DATAGOVMA_PG_PORT=port, DATAGOVMA_VAR=tmp_path)
    assert result.returncode == 2
    assert f"PostgreSQL does not answer on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_wrong_postgresql_credentials(tmp_path):
    (tmp_path / "secrets.env").write_text("PG_USER=nosuchrole\nPG_PASSWORD=wrong\n")
    result = machine("check-database", "test", DATAGOVMA_VAR=tmp_path)
    assert result.returncode == 2
    assert "CKAN cannot log in to PostgreSQL as nosuchrole" in result.stderr
    assert "Traceback" not in result.stderr


def test_redis_unreachable(tmp_path):
    port = free_port()
    result = machine("services", DATAGOVMA_REDIS_PORT=port, DATAGOVMA_VAR=tmp_path)
    assert result.returncode == 2
    assert f"Redis does not answer on 127.0.0.1:{port}" in result.stderr


@pytest.mark.parametrize("name", ["the web portal", "the search service"])
def test_port_taken(name):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = machine("port-free", str(port), name)
    assert result.returncode == 2
    assert f"Port {port} for {name} is already in use" in result.stderr
    assert f"pid {os.getpid()}" in result.stderr
    assert "Is the portal already running (make run)?" in result.stderr


def test_storage_path_not_writable(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = machine("render", DATAGOVMA_VAR=tmp_path / "var", DATAGOVMA_STORAGE_PATH=blocker / "storage")
    assert result.returncode == 2
    assert f"the storage path (uploaded files) {blocker / 'storage'} is not writable" in result.stderr


def test_redis_installed_but_stopped_is_started_and_stopped_again(tmp_path):
    assert machine("services").returncode == 0
    subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True)
    try:
        result = machine("services", DATAGOVMA_VAR=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Redis is installed but stopped: starting it" in result.stdout
        assert subprocess.run(["redis-cli", "ping"], capture_output=True, text=True).stdout.strip() == "PONG"
        # a Redis of queues and caches: no snapshot that could fail and turn it read-only
        for setting, value in (("save", ""), ("appendonly", "no"), ("stop-writes-on-bgsave-error", "no")):
            answer = subprocess.run(["redis-cli", "config", "get", setting], capture_output=True, text=True).stdout
            assert answer.splitlines() == [setting, value], answer
        assert (tmp_path / "started-services").read_text().strip() == "redis"
        stopped = machine("stop-started", DATAGOVMA_VAR=tmp_path)
        assert "stopped the Redis this run started" in stopped.stdout
        assert subprocess.run(["redis-cli", "ping"], capture_output=True, text=True).returncode != 0
    finally:
        # leave the machine as we found it: Redis running after `make test` too (so not listed in
        # the started services of var/, which make test stops), its log in this checkout rather
        # than in a directory of pytest's that is deleted a few sessions later
        machine("services", DATAGOVMA_VAR=os.path.join(ROOT, "var", "restored-services"))


def test_an_idle_harvest_consumer_keeps_waiting_for_work(tmp_path):
    """redis-py 8 times out blocking reads after 5 s by default; the consumers wait on Redis between
    jobs, so the rendered ckan.redis.url carries a long socket_timeout."""
    import time

    ini = tmp_path / "harvest.ini"
    ini.write_text(
        f"[app:main]\nuse = config:{os.path.join(ROOT, 'var', 'config', 'test.ini')}\nckan.plugins = harvest\n"
    )
    ckan = os.path.join(ROOT, ".venv", "bin", "ckan")
    consumer = subprocess.Popen(
        [ckan, "-c", str(ini), "harvester", "gather-consumer"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(12)
        assert consumer.poll() is None, consumer.stderr.read()[-2000:]
    finally:
        consumer.terminate()
        consumer.wait(20)


def test_ckan_config_validate_passes_on_the_portal_config(tmp_path):
    # The portal's config as `make run` renders it, on the test databases (the development ones
    # exist only once `make run` has run).
    import configparser

    connections = configparser.ConfigParser(interpolation=None)
    connections.read(os.path.join(ROOT, "var", "config", "test-connections.ini"))
    keys = ("sqlalchemy.url", "ckan.datastore.write_url", "ckan.datastore.read_url")
    ini = tmp_path / "portal.ini"
    ini.write_text(f"[app:main]\nuse = config:{os.path.join(ROOT, 'var', 'config', 'development.ini')}\n"
                   + "".join(f"{key} = {connections['app:main'][key]}\n" for key in keys))
    result = subprocess.run([os.path.join(ROOT, ".venv", "bin", "ckan"), "-c", ini, "config", "validate"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Invalid" not in result.stdout
