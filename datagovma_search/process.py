"""Start and stop the search service as a child process (used by the pytest plugin and the
benchmarks); the child is the real `datagovma-search` command."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ckan_schema_path():
    """The schema.xml shipped in the installed ckan package, found without importing CKAN."""
    import importlib.util

    spec = importlib.util.find_spec("ckan")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the ckan package is not installed, so its schema.xml cannot be found")
    return os.path.join(list(spec.submodule_search_locations)[0], "config", "solr", "schema.xml")


class SearchProcess:
    def __init__(self, schema, data_dir, port=None, core="ckan", log_path=None, extra_args=(), python=None):
        self.schema = schema
        self.data_dir = data_dir
        self.port = port or free_port()
        self.core = core
        self.log_path = log_path or os.path.join(data_dir, "service.log")
        self.extra_args = list(extra_args)
        self.python = python or sys.executable
        self.proc = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/solr/{self.core}"

    def start(self, timeout=60):
        os.makedirs(self.data_dir, exist_ok=True)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [
                self.python,
                "-m",
                "datagovma_search",
                "--schema",
                self.schema,
                "--data-dir",
                self.data_dir,
                "--port",
                str(self.port),
                "--core",
                self.core,
                *self.extra_args,
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"the search service exited at start-up (code {self.proc.returncode}); "
                    f"see {self.log_path}:\n{self.tail()}"
                )
            if self.ping():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the search service did not answer within {timeout} s; see {self.log_path}")

    def ping(self):
        try:
            with urllib.request.urlopen(self.url + "/admin/ping", timeout=2) as resp:
                return json.load(resp).get("status") == "OK"
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def tail(self, lines=20):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return ""

    def rss_bytes(self):
        with open(f"/proc/{self.proc.pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def kill(self):
        """Simulates a crash: SIGKILL, no clean shutdown."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._close_log()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._close_log()

    def _close_log(self):
        log = getattr(self, "_log", None)
        if log and not log.closed:
            log.close()
