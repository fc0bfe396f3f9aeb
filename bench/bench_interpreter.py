"""Benchmark (not a test): the same portal run by two Python interpreters, measured in one run.

The Makefile makes the project's venv with Debian's python3 when it can; this measures what that
choice is worth against another interpreter (by default the first python3 on PATH, here pyenv's
3.11.7, built without profile-guided or link-time optimisation). A venv for the other interpreter
is made in var/bench-venv-other with the same pinned packages. Each interpreter runs a whole
stack: gunicorn with 2 workers and its own search service over a copy of one index of the bench
portal. The citizens' pages are measured on each stack in turn for each measure
(bench_portal.measure_pages), since this machine's speed drifts from one minute to the next.

    make bench-interpreter      # or: BENCH_PROFILE=bench python bench/bench_interpreter.py
    OTHER_PYTHON=/usr/local/bin/python3.12 BENCH_PROFILE=bench python bench/bench_interpreter.py

Writes bench/results/interpreter.json and bench/results/interpreter.md.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from bench_portal import measure_pages  # noqa: E402
from harness import gunicorn_portal, machine_speed  # noqa: E402

from datagovma_search.process import SearchProcess  # noqa: E402


def describe(python):
    """'3.11.2, /usr/bin/python3.11, libpython linked in' for an interpreter (ldd tells whether its
    executable loads a shared libpython, whose calls go through the PLT)."""
    code = "import os, sys; print(sys.version.split()[0], os.path.realpath(sys.executable))"
    version, executable = subprocess.run([python, "-c", code], check=True, capture_output=True,
                                         text=True).stdout.split()
    libs = subprocess.run(["ldd", executable], capture_output=True, text=True).stdout
    return f"{version}, {executable}, " + ("shared libpython" if "libpython" in libs else "libpython linked in")


def other_venv(python):
    """var/bench-venv-other: a venv of ``python`` with the project's pinned packages."""
    venv = os.path.join(ROOT, "var", "bench-venv-other")
    marker = os.path.join(venv, ".installed-by")
    if os.path.exists(marker) and open(marker).read() == python:
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([python, "-m", "venv", venv], check=True)
    pip = [os.path.join(venv, "bin", "pip"), "install", "-q"]
    subprocess.run(pip + ["-r", "config/requirements.txt", "-c", "config/constraints.txt"], check=True, cwd=ROOT)
    subprocess.run(pip + ["--no-deps", "-e", "."], check=True, cwd=ROOT)
    with open(marker, "w") as handle:
        handle.write(python)
    return venv


def main():
    profile = os.environ.get("BENCH_PROFILE", "development")
    ini = os.path.join(ROOT, "var", "config", f"{profile}.ini")
    ours = os.path.join(ROOT, ".venv")
    other_python = os.environ.get("OTHER_PYTHON") or shutil.which("python3")
    other = other_venv(other_python)
    schema = os.path.join(ROOT, "config", "solr", "schema.xml")
    out = {"machine_before": machine_speed(),
           "interpreters": {"project venv": describe(os.path.join(ours, "bin", "python")),
                            "other": describe(os.path.join(other, "bin", "python"))}}
    with tempfile.TemporaryDirectory(prefix="bench-interpreter-", dir=os.path.join(ROOT, "var")) as tmp:
        first = SearchProcess(schema, os.path.join(tmp, "ours")).start()
        try:
            subprocess.run([os.path.join(ours, "bin", "ckan"), "-c", ini, "search-index", "rebuild-fast"],
                           check=True, capture_output=True, env=dict(os.environ, CKAN_SOLR_URL=first.url))
        finally:
            first.stop()
        shutil.copytree(os.path.join(tmp, "ours"), os.path.join(tmp, "other"))
        services = {"project venv": SearchProcess(schema, os.path.join(tmp, "ours")),
                    "other": SearchProcess(schema, os.path.join(tmp, "other"),
                                           python=os.path.join(other, "bin", "python"))}
        try:
            for service in services.values():
                service.start(timeout=300)
            with gunicorn_portal(services["project venv"].url, profile=profile) as base, \
                    gunicorn_portal(services["other"].url, profile=profile, venv=other) as other_base:
                name = requests.get(base + "/api/3/action/package_search", params={"rows": 1}).json()[
                    "result"]["results"][0]["name"]
                started = time.perf_counter()
                out["pages"] = measure_pages({"project venv": base, "other": other_base}, name)
                out["measure_s"] = round(time.perf_counter() - started)
        finally:
            for service in services.values():
                service.stop()
    out["machine_after"] = machine_speed()
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "interpreter.json"), "w") as handle:
        json.dump(out, handle, indent=2)
    ours_row, other_row = out["pages"]["project venv"], out["pages"]["other"]
    lines = [
        "# The portal under two interpreters (bench/bench_interpreter.py)",
        "",
        f"- project venv: {out['interpreters']['project venv']}",
        f"- other: {out['interpreters']['other']}",
        "",
        "Each stack: gunicorn with 2 workers and its own search service, the same database and index; "
        "the stacks measured in turn for each measure.",
        "",
        "| page | p50 at 8 clients: project venv / other | gunicorn CPU per request: project venv / other "
        "| search service CPU per request: project venv / other |",
        "|---|---|---|---|",
    ]
    for page, row in ours_row.items():
        if "c8" not in row:
            continue
        mine, theirs = row["c8"], other_row[page]["c8"]
        lines.append(
            f"| {page} | {mine['p50_ms']} / {theirs['p50_ms']} ms "
            f"({mine['p50_ms'] / theirs['p50_ms']:.2f}) | {mine['cpu_ms_per_request']['gunicorn']} / "
            f"{theirs['cpu_ms_per_request']['gunicorn']} ms "
            f"({mine['cpu_ms_per_request']['gunicorn'] / theirs['cpu_ms_per_request']['gunicorn']:.2f}) | "
            f"{mine['cpu_ms_per_request']['search']} / {theirs['cpu_ms_per_request']['search']} ms |")
    with open(os.path.join(HERE, "results", "interpreter.md"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
