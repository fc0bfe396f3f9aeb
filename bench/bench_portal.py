"""Benchmark (not a test) on the ~10,000-dataset development portal (bench/portal_10k.py):
`/catalog.ttl` pages of 100 datasets (DCAT, issue 5) and the citizens' pages (home, /dataset, a
dataset page, a producer page) with 1 and 8 concurrent clients, through gunicorn with 2 workers.
Times are round trips on 127.0.0.1, so they are the server's time plus a loopback hop; at 8 clients
the time each request spent in a gunicorn worker is reported too (bench/gunicorn_timing.py). The
clients share the portal's two cores: they speak HTTP with the standard library's http.client,
which spends a fifth of the CPU `requests` spent per page (its share is reported as "client").

    python bench/bench_portal.py
    BENCH_PROFILE=bench python bench/bench_portal.py   # the portal `make bench-harvest` filled

Writes bench/results/portal.json and bench/results/portal.md.
"""

import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from harness import (  # noqa: E402
    gunicorn_portal, machine_speed, percentile, process_cpu, worker_times, worker_times_end)

from datagovma_search.process import SearchProcess  # noqa: E402


class Client:
    """A visitor's HTTP/1.1 client: one connection, opened again when the server closed it
    (gunicorn's sync workers close it after each answer, as they do behind a proxy)."""

    def __init__(self):
        self.connection = None
        self.address = None

    def get(self, url):
        """The status of a GET of ``url`` (http://host:port/path), its body read whole."""
        host_port, _, path = url.split("//", 1)[1].partition("/")
        if self.address != host_port:
            host, port = host_port.rsplit(":", 1)
            self.connection = http.client.HTTPConnection(host, int(port), timeout=300)
            self.address = host_port
        try:
            self.connection.request("GET", "/" + path)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.connection.close()  # the server closed a kept connection meanwhile: once more, anew
            self.connection.request("GET", "/" + path)
            response = self.connection.getresponse()
        response.read()
        if response.will_close:
            self.connection.close()
        return response.status


def timed(client, url):
    started = time.perf_counter()
    status = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        raise RuntimeError(f"{url}: {status}")
    return elapsed


def cpu_roles(base):
    """Who spends the CPU of a measure: the portal's gunicorn processes (found by the address they
    serve), PostgreSQL, the search service and this benchmark's own HTTP clients."""
    return {"gunicorn": base.split("//", 1)[1], "postgres": "postgres:", "search": "datagovma_search",
            "client": "self"}


def measure(urls, clients, rounds):
    def worker(seed):
        client = Client()
        rng = random.Random(seed)
        return [timed(client, rng.choice(urls)) for _ in range(rounds)]

    base = "/".join(urls[0].split("/")[:3])  # http://host:port of the portal measured
    roles = cpu_roles(base)
    times_start = worker_times_end(base)
    cpu_before = process_cpu(roles)
    with ThreadPoolExecutor(clients) as pool:
        times = [t for chunk in pool.map(worker, range(clients)) for t in chunk]
    cpu_after = process_cpu(roles)
    time.sleep(0.2)  # the worker writes its time after sending the answer (post_request)
    in_worker = worker_times(base, times_start)
    cpu = {role: round((cpu_after[role] - cpu_before[role]) * 1000 / len(times), 1) for role in roles}
    return {"p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1), "n": len(times),
            "cpu_ms_per_request": cpu,
            "in_worker_p50_ms": round(percentile(in_worker, 50), 1) if in_worker else None,
            "in_worker_p95_ms": round(percentile(in_worker, 95), 1) if in_worker else None}


def measure_pages(bases, name):
    """The citizens' pages with 1 and 8 clients, and the largest search a developer may ask for,
    on each portal of ``bases`` in turn for each measure: this machine's speed drifts, so the
    portals compared are measured minutes apart at most, never one run after the other."""
    paths = {
        "home": "/",
        "/dataset": "/dataset/",
        "dataset page": f"/dataset/{name}",
        "producer page": "/organization/haut-commissariat-au-plan",
        "package_search rows=1000 (API)": "/api/3/action/package_search?rows=1000",
    }
    client = Client()
    results = {label: {} for label in bases}
    for page, path in paths.items():
        for base in bases.values():
            timed(client, base + path)  # warm caches as a running portal has them
        loads = ((1, 10),) if "rows=1000" in page else ((1, 40), (8, 25))
        for clients, rounds in loads:
            for label, base in bases.items():
                results[label].setdefault(page, {})[f"c{clients}"] = measure([base + path], clients, rounds)
    return results


def core_tracking_profile(profile):
    """An ini beside the profile's with CKAN's `tracking` plugin instead of `datagovma_tracking`."""
    path = os.path.join(ROOT, "var", "config", f"{profile}.ini")
    with open(path) as handle:
        plugins = next(line for line in handle if line.startswith("ckan.plugins")).split("=", 1)[1].split()
    plugins = ["tracking" if p == "datagovma_tracking" else p for p in plugins]
    with open(os.path.join(ROOT, "var", "config", f"{profile}-core-tracking.ini"), "w") as handle:
        handle.write(f"[app:main]\nuse = config:{profile}.ini\nckan.plugins = {' '.join(plugins)}\n")
    return f"{profile}-core-tracking"


def main():
    profile = os.environ.get("BENCH_PROFILE", "development")
    ini = os.path.join(ROOT, "var", "config", f"{profile}.ini")
    ckan = os.path.join(ROOT, ".venv", "bin", "ckan")
    schema = os.path.join(ROOT, "config", "solr", "schema.xml")
    out = {"machine_before": machine_speed()}
    with tempfile.TemporaryDirectory(prefix="bench-portal-", dir=os.path.join(ROOT, "var")) as data_dir:
        service = SearchProcess(schema, data_dir).start()
        try:
            started = time.perf_counter()
            subprocess.run(
                [ckan, "-c", ini, "search-index", "rebuild-fast"],
                check=True,
                capture_output=True,
                env=dict(os.environ, CKAN_SOLR_URL=service.url),
            )
            out["index_rebuild_s"] = round(time.perf_counter() - started, 1)
            with gunicorn_portal(service.url, profile=profile) as base, \
                    gunicorn_portal(service.url, profile=core_tracking_profile(profile)) as reference:
                search = requests.get(base + "/api/3/action/package_search", params={"rows": 1}).json()["result"]
                out["datasets"] = search["count"]
                name = search["results"][0]["name"]
                pages = max(1, out["datasets"] // 100)
                sample = random.Random(1).sample(range(1, pages + 1), min(30, pages))
                catalog = [f"{base}/catalog.ttl?page={n}" for n in sample]
                client = Client()
                for url in catalog[:2]:
                    timed(client, url)  # warm caches as a running portal has them
                out["catalog_ttl_page_of_100"] = measure(catalog, 1, 30)
                # the same pages with CKAN's own tracking plugin in place of datagovma_tracking: what
                # reading the counts per list (tracking.py) is worth on this machine
                measured = measure_pages({"datagovma": base, "ckan_tracking": reference}, name)
                out["pages"] = measured["datagovma"]
                out["with_ckans_tracking_plugin"] = measured["ckan_tracking"]
        finally:
            service.stop()
    out["machine_after"] = machine_speed()
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "portal.json"), "w") as handle:
        json.dump(out, handle, indent=2)
    lines = [
        f"# Portal benchmark ({out['datasets']:,} datasets, gunicorn 2 workers, 2 cores)",
        "",
        f"Machine: a 5-million-step Python loop took {out['machine_before']['python_loop_5M_s']} s before the run "
        f"and {out['machine_after']['python_loop_5M_s']} s after it (bench/harness.py).",
        "",
        f"`/catalog.ttl` page of 100 datasets: p50 {out['catalog_ttl_page_of_100']['p50_ms']} ms, "
        f"p95 {out['catalog_ttl_page_of_100']['p95_ms']} ms",
        "",
        "| page | p50, 1 client | p95, 1 client | p50, 8 clients | p95, 8 clients "
        "| in a worker at 8 clients, p50 / p95 "
        "| CPU per request at 8 clients: gunicorn / PostgreSQL / search / client "
        "| p50 with CKAN's tracking plugin, 1 / 8 clients |",
        "|---|---|---|---|---|---|---|---|",
    ]
    def ms(row, clients, key):
        return f"{row[clients][key]} ms" if clients in row else "—"

    def cpu(row):
        if "c8" not in row:
            return "—"
        used = row["c8"]["cpu_ms_per_request"]
        return " / ".join(str(used[role]) for role in ("gunicorn", "postgres", "search", "client")) + " ms"

    for label, row in out["pages"].items():
        ref = out["with_ckans_tracking_plugin"][label]
        lines.append(
            f"| {label} | {ms(row, 'c1', 'p50_ms')} | {ms(row, 'c1', 'p95_ms')} | {ms(row, 'c8', 'p50_ms')} | "
            f"{ms(row, 'c8', 'p95_ms')} | {ms(row, 'c8', 'in_worker_p50_ms')} / {ms(row, 'c8', 'in_worker_p95_ms')} | "
            f"{cpu(row)} | {ms(ref, 'c1', 'p50_ms')} / {ms(ref, 'c8', 'p50_ms')} |"
        )
    with open(os.path.join(HERE, "results", "portal.md"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
