#!/usr/bin/env python3
"""Prepares this machine for the portal (standard library only, so it runs before the venv):

  machine.py services              PostgreSQL and Redis: use, start or install them
  machine.py render                var/config/*.ini from config/*.ini.in, secrets in var/secrets.env
  machine.py browser               Debian's Chromium for the browser tests (installed if missing)
  machine.py databases PROFILE     roles and databases of a profile (development, test, test-core, bench)
  machine.py initialize PROFILE    schema, migrations, DataStore rights (+ sysadmin, index for development)
  machine.py port-free PORT NAME   stop with a sentence if something already listens on PORT
  machine.py check-database PROFILE  log in as CKAN will
  machine.py stop-started          stop the PostgreSQL/Redis that `services` started (make test)

Every failure ends with one sentence naming what is missing and how to provide it (exit 2).
"""

import os
import re
import secrets
import shutil
import socket
import string
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VAR = os.environ.get("DATAGOVMA_VAR", os.path.join(ROOT, "var"))
SECRETS = os.path.join(VAR, "secrets.env")

PG_HOST = os.environ.get("DATAGOVMA_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("DATAGOVMA_PG_PORT", "5432"))
REDIS_HOST = os.environ.get("DATAGOVMA_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("DATAGOVMA_REDIS_PORT", "6379"))

PROFILES = {
    # profile: (CKAN database, DataStore database, Redis db, storage folder)
    "development": ("datagovma", "datagovma_datastore", 0, "storage"),
    "test": ("datagovma_test", "datagovma_datastore_test", 1, "test-storage"),
    "test-core": ("ckan_core_test", "ckan_core_datastore_test", 2, "test-core-storage"),
    "bench": ("datagovma_bench", "datagovma_datastore_bench", 3, "bench-storage"),
}

PLUGINS = (
    "activity datastore datatables_view text_view image_view datagovma_tracking datagovma datagovma_speedups "
    "datagovma_preview scheming_datasets scheming_organizations scheming_groups dcat structured_data harvest "
    "datagovma_hcp_harvester datagovma_ckan_harvester datagovma_dcat_harvester"
)


def fail(message):
    print(f"\n*** {message}\n", file=sys.stderr)
    sys.exit(2)


def say(message):
    print(f"[datagovma] {message}", flush=True)


def listening(host, port, timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def run(cmd, check=True, **kwargs):
    return subprocess.run(cmd, check=check, text=True, capture_output=True, **kwargs)


def is_root():
    return os.geteuid() == 0


def apt_install(packages, what):
    if not (is_root() and shutil.which("apt-get")):
        fail(
            f"{what} is missing. Install it (on Debian: apt-get install {' '.join(packages)}) "
            f"or point DATAGOVMA_PG_HOST/DATAGOVMA_REDIS_HOST at a running one."
        )
    say(f"{what} is missing: installing {' '.join(packages)} with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    update = run(["apt-get", "update"], check=False, env=env)
    result = run(["apt-get", "install", "-y", "--no-install-recommends", *packages], check=False, env=env)
    if result.returncode != 0:
        fail(f"apt-get could not install {' '.join(packages)}:\n{update.stderr[-800:]}{result.stderr[-1500:]}")


def wait_for(host, port, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if listening(host, port):
            return True
        time.sleep(0.3)
    return False


# --- PostgreSQL ---------------------------------------------------------------------------


STARTED = os.path.join(VAR, "started-services")


def remember_started(name):
    """Services this set-up started, so that `make test` can stop them again."""
    os.makedirs(VAR, exist_ok=True)
    with open(STARTED, "a") as handle:
        handle.write(name + "\n")


def ensure_postgresql():
    if listening(PG_HOST, PG_PORT):
        say(f"PostgreSQL is running on {PG_HOST}:{PG_PORT}")
        return
    if PG_HOST not in ("127.0.0.1", "localhost") or PG_PORT != 5432:
        fail(
            f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT}. Start it there, or unset "
            "DATAGOVMA_PG_HOST and DATAGOVMA_PG_PORT to use (or install) a local one."
        )
    if not shutil.which("pg_lsclusters"):
        apt_install(["postgresql"], "PostgreSQL")
    clusters = [line.split() for line in run(["pg_lsclusters", "-h"]).stdout.splitlines() if line.strip()]
    if not clusters:
        if not is_root():
            fail("PostgreSQL is installed but has no cluster; create one with pg_createcluster.")
        version = sorted(os.listdir("/etc/postgresql"))[-1] if os.path.isdir("/etc/postgresql") else None
        if not version:
            fail("PostgreSQL is installed but no version was found under /etc/postgresql.")
        run(["pg_createcluster", version, "main"], check=False)
        clusters = [line.split() for line in run(["pg_lsclusters", "-h"]).stdout.splitlines() if line.strip()]
    version, name = clusters[0][0], clusters[0][1]
    say(f"PostgreSQL {version}/{name} is installed but stopped: starting it")
    result = run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start"], check=False)
    if not wait_for(PG_HOST, PG_PORT, 30):
        fail(
            f"PostgreSQL {version}/{name} did not start: {result.stderr.strip() or result.stdout.strip()}. "
            f"See /var/log/postgresql/postgresql-{version}-{name}.log."
        )
    remember_started(f"postgresql {version} {name}")
    remember_started(f"postgresql {version} {name}")
    say("PostgreSQL started")


def psql_superuser(sql, database="postgres"):
    """Runs SQL as the PostgreSQL superuser (via the postgres system user when we are root)."""
    cmd = ["psql", "-v", "ON_ERROR_STOP=1", "-X", "-q", "-t", "-A", "-d", database, "-c", sql]
    if is_root() and shutil.which("runuser"):
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    else:
        cmd += ["-h", PG_HOST, "-p", str(PG_PORT), "-U", os.environ.get("DATAGOVMA_PG_SUPERUSER", "postgres")]
    result = run(cmd, check=False)
    if result.returncode != 0:
        fail(
            f"PostgreSQL refused the setup statement ({result.stderr.strip()}). Run as root, or set "
            "DATAGOVMA_PG_SUPERUSER to a role that may create roles and databases."
        )
    return result.stdout.strip()


def ensure_databases(profile):
    values = load_secrets()
    db, datastore_db, _, _ = PROFILES[profile]
    owner, owner_pw = values["PG_USER"], values["PG_PASSWORD"]
    reader, reader_pw = values["PG_READONLY_USER"], values["PG_READONLY_PASSWORD"]
    for role, password in ((owner, owner_pw), (reader, reader_pw)):
        exists = psql_superuser(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'")
        verb = "ALTER" if exists else "CREATE"
        psql_superuser(f"{verb} ROLE {role} WITH LOGIN PASSWORD '{password}'")
    for name in (db, datastore_db):
        if not psql_superuser(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
            say(f"creating database {name}")
            psql_superuser(f"CREATE DATABASE {name} OWNER {owner} ENCODING 'UTF8' TEMPLATE template0")
    check_credentials(owner, owner_pw, db)


def check_credentials(user, password, database):
    """Connects as CKAN will, so wrong credentials are reported now, in one sentence."""
    env = dict(os.environ, PGPASSWORD=password)
    result = run(
        ["psql", "-X", "-q", "-h", PG_HOST, "-p", str(PG_PORT), "-U", user, "-d", database, "-c", "SELECT 1"],
        check=False,
        env=env,
    )
    if result.returncode != 0:
        fail(
            f"CKAN cannot log in to PostgreSQL as {user} on {PG_HOST}:{PG_PORT}/{database}: "
            f"{result.stderr.strip()}. Check var/secrets.env against the role's password."
        )


# --- Redis --------------------------------------------------------------------------------


def redis_ping():
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def ensure_redis():
    if redis_ping():
        say(f"Redis is running on {REDIS_HOST}:{REDIS_PORT}")
        return
    if listening(REDIS_HOST, REDIS_PORT):
        fail(f"Something listens on {REDIS_HOST}:{REDIS_PORT} but does not answer Redis PING; free the port.")
    if REDIS_HOST not in ("127.0.0.1", "localhost") or REDIS_PORT != 6379:
        fail(f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT}. Start it there, or unset "
             "DATAGOVMA_REDIS_HOST and DATAGOVMA_REDIS_PORT to use (or install) a local one.")
    if not shutil.which("redis-server"):
        apt_install(["redis-server"], "Redis")
    data = os.path.join(VAR, "redis")
    os.makedirs(data, exist_ok=True)
    say("Redis is installed but stopped: starting it")
    result = run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(REDIS_PORT),
            "--dir",
            data,
            "--logfile",
            os.path.join(data, "redis.log"),
            # queues and caches only (harvest jobs are re-queued from PostgreSQL): no snapshots,
            # and never read-only because one could not be written
            "--save",
            "",
            "--appendonly",
            "no",
            "--stop-writes-on-bgsave-error",
            "no",
        ],
        check=False,
    )
    deadline = time.time() + 15
    while time.time() < deadline and not redis_ping():
        time.sleep(0.2)
    if not redis_ping():
        fail(f"Redis did not start: {result.stderr.strip()}; see {os.path.join(data, 'redis.log')}.")
    remember_started("redis")
    say("Redis started")


AXE_VERSION = "4.14.1"
# seconds a blocking Redis read may wait (harvest consumers idle between jobs): a day
REDIS_SOCKET_TIMEOUT = 86400
HCP_SIMULATOR = "http://127.0.0.1:8990"  # `make run HCP=1` starts it (config/Procfile + hcp-simulator)


def ensure_browser():
    """Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser),
    and axe-core from the npm registry for their accessibility checks."""
    if os.path.exists("/usr/bin/chromium"):
        say("Chromium is installed")
    else:
        apt_install(["chromium", "fonts-noto-core"], "Chromium (for the browser tests)")
        if not os.path.exists("/usr/bin/chromium"):
            fail("Chromium was installed but /usr/bin/chromium is missing; install Debian's chromium package.")
    axe = os.path.join(VAR, "npm", "node_modules", "axe-core", "axe.min.js")
    if not os.path.exists(axe):
        if not shutil.which("npm"):
            apt_install(["npm"], "npm (to fetch axe-core for the accessibility tests)")
        result = run(["npm", "install", "--prefix", os.path.join(VAR, "npm"), "--no-save", "--no-audit", "--no-fund",
                      f"axe-core@{AXE_VERSION}"], check=False)
        if result.returncode != 0 or not os.path.exists(axe):
            fail(f"npm could not install axe-core {AXE_VERSION}: {result.stderr.strip()[-500:]}")
        say(f"axe-core {AXE_VERSION} installed in var/npm")


def stop_started():
    """Stops the services that this set-up started (and only those)."""
    if not os.path.exists(STARTED):
        return
    with open(STARTED) as handle:
        names = [line.split() for line in handle if line.strip()]
    for words in names:
        if words[0] == "redis":
            run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], check=False)
            say("stopped the Redis this run started")
        elif words[0] == "postgresql":
            run(["pg_ctlcluster", "--skip-systemctl-redirect", words[1], words[2], "stop"], check=False)
            say("stopped the PostgreSQL this run started")
    os.remove(STARTED)


# --- config -------------------------------------------------------------------------------


def load_secrets():
    """var/secrets.env, created with fresh random secrets the first time (never committed)."""
    values = {}
    if os.path.exists(SECRETS):
        with open(SECRETS) as handle:
            for line in handle:
                if "=" in line and not line.startswith("#"):
                    key, value = line.rstrip("\n").split("=", 1)
                    values[key] = value
    defaults = {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "JWT_SECRET": secrets.token_urlsafe(32),
        "CSRF_SECRET": secrets.token_urlsafe(32),
        "PG_USER": "datagovma",
        "PG_PASSWORD": secrets.token_hex(16),
        "PG_READONLY_USER": "datagovma_datastore_ro",
        "PG_READONLY_PASSWORD": secrets.token_hex(16),
    }
    missing = {k: v for k, v in defaults.items() if k not in values}
    if missing:
        values.update(missing)
        os.makedirs(VAR, exist_ok=True)
        with open(SECRETS, "w") as handle:
            handle.write("# Generated by config/machine.py; never commit this file.\n")
            for key, value in values.items():
                handle.write(f"{key}={value}\n")
        os.chmod(SECRETS, 0o600)
    return values


def ckan_package_dir():
    python = os.path.join(ROOT, ".venv", "bin", "python")
    result = run(
        [python, "-c", "import importlib.util as u; print(list(u.find_spec('ckan').submodule_search_locations)[0])"],
        check=False,
    )
    return result.stdout.strip()


def render():
    values = load_secrets()
    out_dir = os.path.join(VAR, "config")
    os.makedirs(out_dir, exist_ok=True)
    common = {
        "PG_HOST": PG_HOST,
        "PG_PORT": str(PG_PORT),
        "REDIS_HOST": REDIS_HOST,
        "REDIS_PORT": str(REDIS_PORT),
        "SITE_URL": os.environ.get("DATAGOVMA_SITE_URL", "http://127.0.0.1:5000"),
        "CKAN_PLUGINS": os.environ.get("DATAGOVMA_PLUGINS", PLUGINS),
        "CKAN_PACKAGE_DIR": ckan_package_dir(),
        "SCHEMAS": "file://" + os.path.join(ROOT, "schemas"),
        **values,
    }
    for profile, (db, datastore_db, redis_db, storage) in PROFILES.items():
        storage_path = os.environ.get("DATAGOVMA_STORAGE_PATH", os.path.join(VAR, storage))
        if profile != "development":
            storage_path = os.path.join(VAR, storage)
        check_writable(storage_path, "the storage path (uploaded files)")
        mapping = dict(
            common,
            PROFILE=profile,
            DB_NAME=db,
            DATASTORE_DB_NAME=datastore_db,
            REDIS_DB=str(redis_db),
            REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}?socket_timeout={REDIS_SOCKET_TIMEOUT}",
            SOLR_URL=os.environ.get("DATAGOVMA_SOLR_URL", "http://127.0.0.1:8983/solr/ckan"),
            STORAGE_PATH=storage_path,
        )
        templates = [("connections.ini.in", f"{profile}-connections.ini"), (f"{profile}.ini.in", f"{profile}.ini")]
        if profile != "test-core":
            templates.insert(1, ("portal.ini.in", f"{profile}-portal.ini"))
        for template, target in templates:
            with open(os.path.join(ROOT, "config", template)) as handle:
                text = string.Template(handle.read()).substitute(mapping)
            with open(os.path.join(out_dir, target), "w") as handle:
                handle.write(text)
    say(f"config rendered into {out_dir}")


def check_writable(path, what):
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, ".datagovma-write-test")
        with open(probe, "w") as handle:
            handle.write("ok")
        os.remove(probe)
    except OSError as exc:
        fail(f"{what} {path} is not writable ({exc.strerror}). Make it writable by this user, or set "
             "DATAGOVMA_STORAGE_PATH to a folder that is.")


def check_database(profile):
    values = load_secrets()
    check_credentials(values["PG_USER"], values["PG_PASSWORD"], PROFILES[profile][0])
    say(f"CKAN can log in to {PROFILES[profile][0]}")


def port_owner(port):
    """'name, pid N' of the process listening on a local TCP port, read from /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                for line in list(handle)[1:]:
                    fields = line.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(fields[9])
        except OSError:
            continue
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    with open(f"/proc/{pid}/comm") as handle:
                        return f"{handle.read().strip()}, pid {pid}"
        except OSError:
            continue
    return None


def port_free(port, name):
    port = int(port)
    if listening("127.0.0.1", port):
        owner = port_owner(port)
        held = f" (held by {owner})" if owner else ""
        fail(
            f"Port {port} for {name} is already in use{held}. Is the portal already running (make run)? "
            "Stop it, or free the port."
        )


def venv_bin(name):
    return os.path.join(ROOT, ".venv", "bin", name)


def ckan(profile, *args, check=True):
    ini = os.path.join(VAR, "config", f"{profile}.ini")
    result = run([venv_bin("ckan"), "-c", ini, *args], check=False)
    if check and result.returncode != 0:
        fail(f"`ckan {' '.join(args)}` failed for the {profile} portal:\n{result.stderr[-3000:]}")
    return result


def migrate_plugins(profile):
    """The core schema, then the migrations of every plugin the profile's ini loads (the test
    profiles load plugins per test and migrate them in their clean_db fixtures)."""
    output = ckan(profile, "db", "upgrade")
    pending = output.stdout + output.stderr
    for plugin in sorted(set(re.findall(r"unapplied migrations? for (\S+)", pending))):
        say(f"applying the migrations of {plugin}")
        ckan(profile, "db", "upgrade", "-p", plugin)
    with open(os.path.join(VAR, "config", f"{profile}.ini")) as handle:
        loads_tracking = re.search(r"^ckan\.plugins\s*=.*\bdatagovma_tracking\b", handle.read(), re.M)
    if loads_tracking:  # CKAN's tracking tables, under the datagovma_tracking plugin
        say("applying the migrations of tracking (plugin datagovma_tracking)")
        ckan(profile, "datagovma", "migrate-tracking")


def start_search(port=8983):
    """The search service for set-up steps that index (it is stopped again afterwards)."""
    data = os.path.join(VAR, "search")
    os.makedirs(data, exist_ok=True)
    log = open(os.path.join(VAR, "search-setup.log"), "ab")
    proc = subprocess.Popen(
        [
            venv_bin("datagovma-search"),
            "--schema",
            os.path.join(ROOT, "config", "solr", "schema.xml"),
            "--data-dir",
            data,
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            fail(f"the search service exited during set-up (code {proc.returncode}); see var/search-setup.log")
        if listening("127.0.0.1", port):
            return proc
        time.sleep(0.2)
    proc.terminate()
    fail("the search service did not start within 120 s; see var/search-setup.log")


def ensure_sysadmin(profile):
    name = os.environ.get("DATAGOVMA_ADMIN_NAME", "admin")
    shown = ckan(profile, "user", "show", name).stdout
    if re.search(r"^User: None\s*$", shown, re.M) is None and name in shown:
        say(f"sysadmin {name} exists")
        return
    password = os.environ.get("DATAGOVMA_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    email = os.environ.get("DATAGOVMA_ADMIN_EMAIL", f"{name}@data.gov.ma")
    ckan(profile, "user", "add", name, f"email={email}", f"password={password}")
    ckan(profile, "sysadmin", "add", name)
    if os.environ.get("DATAGOVMA_ADMIN_PASSWORD"):
        say(f"sysadmin {name} created with the password from DATAGOVMA_ADMIN_PASSWORD")
    else:
        say(f"sysadmin {name} created; its password (shown once): {password}")


def initialize(profile):
    """Database schema, plugin migrations, DataStore permissions; for the portal itself also
    the sysadmin, reference data and a search index that matches the database."""
    search = start_search() if profile == "development" else None
    try:
        migrate_plugins(profile)
        sql = ckan(profile, "datastore", "set-permissions").stdout
        datastore_db = PROFILES[profile][1]
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", datastore_db]
        if is_root() and shutil.which("runuser"):
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, input=sql, text=True, capture_output=True)
        if result.returncode != 0:
            fail(f"DataStore permissions could not be set on {datastore_db}: {result.stderr.strip()}")
        if profile == "development":
            ensure_sysadmin(profile)
            if "datagovma" in ckan(profile, "--help", check=False).stdout:
                say(ckan(profile, "datagovma", "load-reference").stdout.strip())
            ckan(profile, "search-index", "rebuild", "--only-missing", "--quiet")
            if os.environ.get("HCP"):
                say(ckan(profile, "datagovma", "hcp-source", "--url", HCP_SIMULATOR).stdout.strip())
    finally:
        if search is not None:
            search.terminate()
            search.wait(30)
    say(f"{profile} database ready")


def main(argv):
    if not argv:
        print(__doc__)
        return
    command, args = argv[0], argv[1:]
    if command == "services":
        ensure_postgresql()
        ensure_redis()
    elif command == "browser":
        ensure_browser()
    elif command == "render":
        render()
    elif command == "databases":
        ensure_databases(args[0] if args else "development")
    elif command == "check-database":
        check_database(args[0] if args else "development")
    elif command == "stop-started":
        stop_started()
    elif command == "initialize":
        initialize(args[0] if args else "development")
    elif command == "port-free":
        port_free(args[0], args[1] if len(args) > 1 else "a service")
    else:
        fail(f"unknown command {command!r}; see config/machine.py --help")


if __name__ == "__main__":
    main(sys.argv[1:])
