"""Benchmark (not a test): `ckan search-index rebuild` end to end — CKAN reads every dataset from
PostgreSQL and sends it to a fresh search service — on the development portal's database.

    make run HCP=1   # once: fills the portal with ~840 datasets (HCP indicators and examples)
    python bench/bench_rebuild.py

Writes bench/results/rebuild.json.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from datagovma_search.process import SearchProcess  # noqa: E402

sys.path.insert(0, HERE)
from harness import machine_speed  # noqa: E402


def main():
    # BENCH_INI=var/config/bench.ini rebuilds the portal `make bench-harvest` filled
    ini = os.path.abspath(os.environ.get("BENCH_INI") or os.path.join(ROOT, "var", "config", "development.ini"))
    ckan = os.path.join(ROOT, ".venv", "bin", "ckan")
    schema = os.path.join(ROOT, "config", "solr", "schema.xml")
    out = {
        "note": "wall time of the whole command: CKAN's start-up (about 3 s), package_show of every "
        "dataset from PostgreSQL, indexing in a fresh search service"
    }
    # rebuild: one process; rebuild-fast: one forked process per core (CKAN 2.12's own command; the
    # datagovma plugin gives each forked process its own database connection, see forking.py)
    out["machine_before"] = machine_speed()
    for command in (["rebuild", "--quiet"], ["rebuild-fast"]):
        with tempfile.TemporaryDirectory(prefix="bench-rebuild-", dir=os.path.join(ROOT, "var")) as data_dir:
            service = SearchProcess(schema, data_dir).start()
            try:
                env = dict(os.environ, CKAN_SOLR_URL=service.url)
                started = time.perf_counter()
                result = subprocess.run(
                    [ckan, "-c", ini, "search-index", *command], env=env, capture_output=True, text=True
                )
                elapsed = time.perf_counter() - started
                if result.returncode != 0 or "Traceback" in result.stderr:
                    sys.exit(f"{command[0]} failed: {result.stderr[-2000:]}")
                count = service_count(service.url)
            finally:
                service.stop()
        out[command[0]] = {"datasets": count, "seconds": round(elapsed, 1), "datasets_per_s": round(count / elapsed, 1)}
    out["machine_after"] = machine_speed()
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "rebuild.json"), "w") as handle:
        json.dump(out, handle, indent=2)
    print(json.dumps(out, indent=2))


def service_count(url):
    import urllib.request

    with urllib.request.urlopen(url + "/select?q=*:*&rows=0&wt=json") as resp:
        return json.load(resp)["response"]["numFound"]


if __name__ == "__main__":
    main()
