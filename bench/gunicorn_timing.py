"""gunicorn settings of the portal benchmark (bench/harness.py gunicorn_portal): the time each
request spends in a worker, from the parsed request to the answer sent, appended to the file named
by BENCH_WORKER_TIMES (microseconds, status, path). gunicorn's own access log is silenced once CKAN
loads its ini's logging configuration, hence these hooks."""

import os
import time


def pre_request(worker, req):
    req.bench_started = time.perf_counter()


def post_request(worker, req, environ, resp):
    elapsed_us = (time.perf_counter() - req.bench_started) * 1_000_000
    with open(os.environ["BENCH_WORKER_TIMES"], "a") as handle:
        handle.write(f"{elapsed_us:.0f} {resp.status_code} {req.path}\n")
