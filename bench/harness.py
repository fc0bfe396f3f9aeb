"""What the benchmarks share: percentiles, and the development portal served by gunicorn."""

import contextlib
import os
import subprocess
import time

import requests

from datagovma_search.process import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def machine_speed():
    """How fast this machine runs plain Python, so that figures from different sessions' machines
    can be compared: the median of 5 timings of the same 5-million-step loop (smaller is faster)."""
    import statistics

    timings = []
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(5_000_000):
            total += i
        timings.append(time.perf_counter() - started)
    return {"python_loop_5M_s": round(statistics.median(timings), 3), "cpus": os.cpu_count()}


def process_cpu(roles):
    """CPU seconds (user + system) used so far by the processes of each role: ``roles`` maps a name
    to a substring of their command lines ("self" for this process). Read from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = dict.fromkeys(roles, 0.0)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        seconds = (int(fields[11]) + int(fields[12])) / tick
        for role, needle in roles.items():
            if (needle == "self" and int(pid) == os.getpid()) or (needle != "self" and needle in cmdline):
                used[role] += seconds
                break
    return used


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


WORKER_TIMES = {}  # base URL of a running gunicorn_portal -> its file of worker times


def worker_times_end(base):
    """Where the next request of the portal at ``base`` will be written in its file of times."""
    return os.path.getsize(WORKER_TIMES[base])


def worker_times(base, since):
    """Milliseconds each request answered by the portal at ``base`` after byte ``since`` of its
    file of worker times (bench/gunicorn_timing.py) spent in a gunicorn worker, from the parsed
    request to the answer: the time it waited for a free worker is not in it."""
    with open(WORKER_TIMES[base]) as handle:
        handle.seek(since)
        return [int(line.split()[0]) / 1000 for line in handle.read().splitlines() if line.strip()]


@contextlib.contextmanager
def gunicorn_portal(solr_url, workers=2, timeout=240, profile="development", venv=None):
    """A portal (var/config/<profile>.ini) under gunicorn on a free port, its search at
    ``solr_url``, run by the virtualenv ``venv`` (the project's .venv by default); yields the base
    URL once CKAN answers."""
    port = free_port()
    env = dict(os.environ, CKAN_INI=os.path.join(ROOT, "var", "config", f"{profile}.ini"), CKAN_SOLR_URL=solr_url)
    tag = profile if venv is None else f"{profile}-{os.path.basename(venv)}"
    log = open(os.path.join(ROOT, "var", f"bench-gunicorn-{tag}.log"), "wb")
    times_file = os.path.join(ROOT, "var", f"bench-gunicorn-{tag}-worker-times.log")
    open(times_file, "w").close()
    env["BENCH_WORKER_TIMES"] = times_file
    proc = subprocess.Popen(
        [
            os.path.join(venv or os.path.join(ROOT, ".venv"), "bin", "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--config",
            os.path.join(ROOT, "bench", "gunicorn_timing.py"),  # each request's time in a worker
            "ckanext.datagovma.wsgi:application",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    WORKER_TIMES[base] = times_file
    try:
        deadline = time.time() + timeout
        while True:
            try:
                if requests.get(base + "/api/3/action/status_show", timeout=5).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):  # still booting
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"gunicorn did not serve the {profile} portal within {timeout} s "
                                   f"(does its database exist? see var/bench-gunicorn-{tag}.log)")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
