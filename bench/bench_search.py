"""Benchmark of the search service (make bench-search): not a test, it prints figures and writes
them to bench/results/search.json and bench/results/search.md.

  - ingestion into a fresh service (batches, and one document per request as CKAN sends them)
  - restart time (the index is rebuilt in memory from the durable store)
  - latency p50/p95 of the queries CKAN sends, with 1 and 8 concurrent clients; the same query
    repeated (as the first page of a listing is), and, at 1 client, each request with another set
    of matching documents (one of them left out in turn), so that no facet count is reused
  - package_search through CKAN's Action API (gunicorn, 2 workers) against the same index
  - hostile searches (a backtracking regular expression, leading wildcards) as anonymous
    package_search sends them: the time each takes to answer or be refused, and a plain search's
    latency alone and while they run, measured in turn in the same run
  - resident memory of the service

    python bench/bench_search.py [--docs 100000] [--rounds 200]
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from corpus import documents  # noqa: E402
from harness import gunicorn_portal, machine_speed, percentile  # noqa: E402

from datagovma_search.process import SearchProcess  # noqa: E402

SITE = "datagovma"
FACETS = ["organization", "groups", "tags", "res_format", "license_id"]
COMMON = {
    "wt": "json",
    "q.op": "AND",
    "df": "text",
    "fl": "id validated_data_dict",
    "start": 0,
    "rows": 21,
    "facet": "true",
    "facet.limit": 50,
    "facet.mincount": 1,
}
DISMAX = {"defType": "dismax", "qf": "name^4 title^4 tags^2 groups^2 text", "mm": "2<-1 5<80%", "tie": "0.1"}
BASE_FQ = ["+dataset_type:dataset +state:(active)", f'+site_id:"{SITE}"', '+permission_labels:("public")']

QUERIES = {
    # the queries CKAN 2.12 sends, as lib/search/query.py assembles them
    "home: latest datasets": dict(
        COMMON,
        q="*:*",
        fq=['capacity:"public"', f'+site_id:"{SITE}"', "+state:active"],
        rows=5,
        sort="views_recent desc",
        **{"facet.field": FACETS},
    ),
    "home: theme/producer counts": {
        "wt": "json",
        "q": "*:*",
        "fl": "groups",
        "rows": 1,
        "facet": "true",
        "facet.limit": -1,
        "facet.field": ["groups", "owner_org"],
        "fq": [f'+site_id:"{SITE}"', "+state:active"],
        "q.op": "AND",
        "df": "text",
    },
    "/dataset, all facets, no query": dict(
        COMMON, q="*:*", fq=BASE_FQ, sort="score desc, metadata_modified desc", **{"facet.field": FACETS}
    ),
    "free text + facets": dict(
        COMMON,
        **DISMAX,
        q="population région",
        fq=BASE_FQ,
        sort="score desc, metadata_modified desc",
        **{"facet.field": FACETS},
    ),
    "free text (Arabic) + facets": dict(
        COMMON, **DISMAX, q="السكان", fq=BASE_FQ, sort="score desc, metadata_modified desc", **{"facet.field": FACETS}
    ),
    "fq filters (theme + format + producer)": dict(
        COMMON,
        q="*:*",
        fq=[BASE_FQ[0] + ' groups:"sante" res_format:"CSV" organization:"haut-commissariat-au-plan"', *BASE_FQ[1:]],
        sort="score desc, metadata_modified desc",
        **{"facet.field": FACETS},
    ),
    "sort by metadata_modified": dict(
        COMMON, q="*:*", fq=BASE_FQ, sort="metadata_modified desc", **{"facet.field": FACETS}
    ),
}


# Searches anyone can send through package_search (q contains ':', so CKAN sends no defType and
# the lucene parser reads it): each must be answered or refused within a second, and must not
# hold back the searches sent meanwhile.
HOSTILE = {
    "regexp id:/(.|.)*Z/": "id:/(.|.)*Z/",
    "leading wildcard name:*abc*": "name:*abc*",
    "wildcard name:*a?c* (RE2)": "name:*a?c*",
    "leading wildcard text:*ion": "text:*ion",
}
PLAIN = "free text + facets"


def hostile_params(q):
    return dict(COMMON, q=q, fq=BASE_FQ, sort="score desc, metadata_modified desc", **{"facet.field": FACETS})


def hostile_searches(url, rounds):
    """Each hostile search alone (wall time, answer), then the plain search's latency alone, while
    a second client sends plain searches back to back (what any second client costs: the service
    is one Python process) and while it sends the hostile searches back to back, alternated by tens
    so that the machine's drift weighs on the three alike."""
    session = requests.Session()
    out = {"queries": {}}
    for label, q in HOSTILE.items():
        walls, answers = [], set()
        for _ in range(5):
            started = time.perf_counter()
            resp = session.get(url + "/select", params=hostile_params(q), timeout=120)
            walls.append((time.perf_counter() - started) * 1000)
            body = resp.json()
            if resp.status_code == 200:
                partial = " (partial)" if body["responseHeader"].get("partialResults") else ""
                answers.add(f"200, {body['response']['numFound']} found{partial}")
            else:
                answers.add(f"{resp.status_code}: {body['error']['msg'][:80]}")
        out["queries"][label] = {
            "q": q,
            "p50_ms": round(percentile(walls, 50), 1),
            "max_ms": round(max(walls), 1),
            "answer": "; ".join(sorted(answers)),
        }
        print(f"hostile {label}: p50 {out['queries'][label]['p50_ms']} ms, max {out['queries'][label]['max_ms']} ms, "
              f"{out['queries'][label]['answer']}", flush=True)

    plain = QUERIES[PLAIN]
    for _ in range(3):
        session.get(url + "/select", params=plain).raise_for_status()
    alone, loaded, meanwhile = [], [], []
    sent = [0]

    def plain_walls(n):
        walls = []
        for _ in range(n):
            started = time.perf_counter()
            session.get(url + "/select", params=plain).raise_for_status()
            walls.append((time.perf_counter() - started) * 1000)
        return walls

    def other_client(stop, hostile):
        own = requests.Session()
        while not stop.is_set():
            for q in HOSTILE.values():
                own.get(url + "/select", params=hostile_params(q) if hostile else plain, timeout=120)
                sent[0] += hostile

    def with_other_client(hostile):
        stop = threading.Event()
        thread = threading.Thread(target=other_client, args=(stop, hostile), daemon=True)
        thread.start()
        time.sleep(0.05)  # its first search is under way
        walls = plain_walls(10)
        stop.set()
        thread.join()
        return walls

    for _ in range(max(1, rounds // 20)):
        alone.extend(plain_walls(10))
        loaded.extend(with_other_client(hostile=False))
        meanwhile.extend(with_other_client(hostile=True))
    out["plain"] = {
        "query": PLAIN,
        "alone_p50_ms": round(percentile(alone, 50), 1),
        "alone_p95_ms": round(percentile(alone, 95), 1),
        "plain_load_p50_ms": round(percentile(loaded, 50), 1),
        "plain_load_p95_ms": round(percentile(loaded, 95), 1),
        "meanwhile_p50_ms": round(percentile(meanwhile, 50), 1),
        "meanwhile_p95_ms": round(percentile(meanwhile, 95), 1),
        "ratio_p50": round(percentile(meanwhile, 50) / percentile(alone, 50), 2),
        "ratio_to_plain_load_p50": round(percentile(meanwhile, 50) / percentile(loaded, 50), 2),
        "requests": len(alone) + len(loaded) + len(meanwhile),
        "hostile_sent_meanwhile": sent[0],
    }
    p = out["plain"]
    print(f"plain '{PLAIN}': p50 {p['alone_p50_ms']} ms alone, {p['plain_load_p50_ms']} ms while another client "
          f"sends it too, {p['meanwhile_p50_ms']} ms while hostile searches run (x{p['ratio_p50']} alone, "
          f"x{p['ratio_to_plain_load_p50']} the other client's plain load; {p['hostile_sent_meanwhile']} hostile sent)",
          flush=True)
    return out


def ingest(url, docs, batch):
    """(wall seconds, seconds spent in the service by its own QTime)."""
    session = requests.Session()
    started = time.perf_counter()
    service_ms = 0
    for i in range(0, len(docs), batch):
        body = json.dumps(docs[i : i + batch])
        resp = session.post(url + "/update", data=body, headers={"Content-type": "application/json"})
        resp.raise_for_status()
        service_ms += resp.json()["responseHeader"]["QTime"]
    resp = session.post(url + "/update?commit=true", data="<commit/>", headers={"Content-type": "text/xml"})
    resp.raise_for_status()
    service_ms += resp.json()["responseHeader"]["QTime"]
    return time.perf_counter() - started, service_ms / 1000


def run_queries(url, params, rounds, clients, leave_out=None):
    """Returns (client wall times in ms, service QTimes in ms). With ``leave_out`` (document ids),
    each request leaves the next of them out of its results: a new set of matching documents each
    time, whose facets the service counts anew."""
    walls, qtimes = [], []
    lock = threading.Lock()
    counter = iter(range(10**9))

    def request_params():
        if not leave_out:
            return params
        excluded = leave_out[next(counter) % len(leave_out)]
        return dict(params, fq=[*params["fq"], f'-id:"{excluded}"'])

    def worker(n):
        session = requests.Session()
        for _ in range(n):
            query = request_params()
            started = time.perf_counter()
            resp = session.get(url + "/select", params=query)
            wall = (time.perf_counter() - started) * 1000
            resp.raise_for_status()
            with lock:
                walls.append(wall)
                qtimes.append(resp.json()["responseHeader"]["QTime"])

    session = requests.Session()
    for _ in range(3):  # warm the filter cache as a running portal has it
        session.get(url + "/select", params=params).raise_for_status()
    per_client = max(1, rounds // clients)
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, [per_client] * clients))
    return walls, qtimes


def action_api(url, rounds):
    """package_search through gunicorn (2 workers), the portal's plugins and config on the bench
    database (the 100,000 documents are in the search service, not in that database)."""
    with gunicorn_portal(url, profile="bench") as portal:
        base = portal + "/api/3/action/package_search"
        results = {}
        cases = {
            "package_search q=population, facets": {"q": "population", "facet.field": json.dumps(FACETS), "rows": 20},
            "package_search no query, facets": {"facet.field": json.dumps(FACETS), "rows": 20},
        }
        for label, params in cases.items():
            session = requests.Session()
            for _ in range(3):
                session.get(base, params=params).raise_for_status()
            walls = []
            for _ in range(rounds):
                started = time.perf_counter()
                resp = session.get(base, params=params)
                walls.append((time.perf_counter() - started) * 1000)
                resp.raise_for_status()
            count = resp.json()["result"]["count"]
            if not count:  # an empty answer is fast and means nothing: a wrong site id, say
                raise RuntimeError(f"{label} found no dataset through the portal: check ckan.site_id = {SITE}")
            results[label] = {
                "p50_ms": round(percentile(walls, 50), 1),
                "p95_ms": round(percentile(walls, 95), 1),
                "count": count,
            }
        return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--single", type=int, default=2_000, help="documents sent one per request")
    parser.add_argument("--skip-portal", action="store_true", help="a trial: no Action API, results not written")
    args = parser.parse_args()
    out = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()}, "docs": args.docs,
           "machine_before": machine_speed()}

    t = time.perf_counter()
    docs = list(documents(args.docs + args.single, site_id=SITE))
    print(f"generated {len(docs)} documents in {time.perf_counter() - t:.1f} s", flush=True)
    schema = os.path.join(ROOT, "config", "solr", "schema.xml")
    with tempfile.TemporaryDirectory(prefix="bench-search-", dir=os.path.join(ROOT, "var")) as data_dir:
        service = SearchProcess(schema, data_dir).start()
        try:
            elapsed, in_service = ingest(service.url, docs[: args.docs], batch=500)
            out["ingestion_batch_docs_per_s"] = round(args.docs / elapsed)
            out["ingestion_service_docs_per_s"] = round(args.docs / in_service)
            print(
                f"ingestion, batches of 500: {out['ingestion_batch_docs_per_s']} docs/s ({elapsed:.1f} s); "
                f"in the service {out['ingestion_service_docs_per_s']} docs/s",
                flush=True,
            )
            single = docs[args.docs :]
            session = requests.Session()
            t = time.perf_counter()
            for doc in single:
                session.post(service.url + "/update", json=[doc]).raise_for_status()
            session.post(
                service.url + "/update?commit=true", data="<commit/>", headers={"Content-type": "text/xml"}
            ).raise_for_status()
            out["ingestion_single_docs_per_s"] = round(len(single) / (time.perf_counter() - t))
            print(f"ingestion, one document per request: {out['ingestion_single_docs_per_s']} docs/s", flush=True)
            out["rss_after_ingestion_mb"] = round(service.rss_bytes() / 2**20)
            service.stop()
            t = time.perf_counter()
            service.start(timeout=600)
            out["restart_s"] = round(time.perf_counter() - t, 1)
            out["rss_after_restart_mb"] = round(service.rss_bytes() / 2**20)
            print(
                f"restart (index rebuilt from the store): {out['restart_s']} s; RSS {out['rss_after_restart_mb']} MB",
                flush=True,
            )

            out["queries"] = {}
            for label, params in QUERIES.items():
                row = {}
                for measure, clients, leave_out in (("c1", 1, None), ("c8", 8, None),
                                                    ("c1_new_sets", 1, [d["id"] for d in docs[: args.rounds]])):
                    walls, qtimes = run_queries(service.url, params, args.rounds, clients, leave_out)
                    row[measure] = {
                        "p50_ms": round(percentile(walls, 50), 1),
                        "p95_ms": round(percentile(walls, 95), 1),
                        "service_p50_ms": percentile(qtimes, 50),
                        "service_p95_ms": percentile(qtimes, 95),
                    }
                out["queries"][label] = row
                print(
                    f"{label}: 1 client p50 {row['c1']['p50_ms']} ms p95 {row['c1']['p95_ms']} ms "
                    f"(service {row['c1']['service_p50_ms']}/{row['c1']['service_p95_ms']}); 8 clients p50 "
                    f"{row['c8']['p50_ms']} p95 {row['c8']['p95_ms']}; a new set each time, 1 client p50 "
                    f"{row['c1_new_sets']['p50_ms']} p95 {row['c1_new_sets']['p95_ms']} ms",
                    flush=True,
                )
            out["rss_after_queries_mb"] = round(service.rss_bytes() / 2**20)
            out["hostile"] = hostile_searches(service.url, args.rounds)
            if args.skip_portal:
                return finish(out, write=False)
            out["action_api"] = action_api(service.url, max(50, args.rounds // 2))
            for label, row in out["action_api"].items():
                print(f"{label}: p50 {row['p50_ms']} ms p95 {row['p95_ms']} ms ({row['count']} found)", flush=True)
        finally:
            service.stop()
    finish(out)


def finish(out, write=True):
    out["machine_after"] = machine_speed()
    if write:
        os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
        with open(os.path.join(HERE, "results", "search.json"), "w") as handle:
            json.dump(out, handle, indent=2, ensure_ascii=False)
        write_markdown(out)
    print(json.dumps(out, indent=2, ensure_ascii=False))


def write_markdown(out):
    lines = [
        f"# Search service benchmark ({out['docs']:,} datasets, {out['machine']['cpus']} cores)",
        "",
        f"Python {out['machine']['python']}. Machine: a 5-million-step Python loop took "
        f"{out['machine_before']['python_loop_5M_s']} s before the run and "
        f"{out['machine_after']['python_loop_5M_s']} s after it (bench/harness.py).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| ingestion, batches of 500 (client wall time) | {out['ingestion_batch_docs_per_s']:,} docs/s |",
        f"| ingestion, batches of 500 (time in the service) | {out['ingestion_service_docs_per_s']:,} docs/s |",
        f"| ingestion, one document per request | {out['ingestion_single_docs_per_s']:,} docs/s |",
        f"| restart (index rebuilt from the store) | {out['restart_s']} s |",
        f"| RSS after ingestion / restart / queries | {out['rss_after_ingestion_mb']} / "
        f"{out['rss_after_restart_mb']} / {out['rss_after_queries_mb']} MB |",
        "",
        "| query (client round trip; service time in brackets) | p50 1 client | p95 1 client | p50 8 clients "
        "| p95 8 clients | a new set of matching documents each time: p50 / p95, 1 client |",
        "|---|---|---|---|---|---|",
    ]
    for label, row in out["queries"].items():
        fresh = row.get("c1_new_sets")
        lines.append(
            f"| {label} | {row['c1']['p50_ms']} ({row['c1']['service_p50_ms']}) ms | "
            f"{row['c1']['p95_ms']} ({row['c1']['service_p95_ms']}) ms | {row['c8']['p50_ms']} ms | "
            f"{row['c8']['p95_ms']} ms | "
            + (f"{fresh['p50_ms']} ({fresh['service_p50_ms']}) / {fresh['p95_ms']} ms |" if fresh else "— |")
        )
    lines += ["", "| Action API (gunicorn, 2 workers) | p50 | p95 |", "|---|---|---|"]
    for label, row in out["action_api"].items():
        lines.append(f"| {label} | {row['p50_ms']} ms | {row['p95_ms']} ms |")
    hostile = out["hostile"]
    lines += [
        "",
        "Hostile searches, as anonymous package_search sends them (lucene parser, the portal's filters and "
        f"facets; the service's default limits): 5 times each, over the {out['docs']:,} datasets.",
        "",
        "| search | q | p50 | max | answer |",
        "|---|---|---|---|---|",
    ]
    for label, row in hostile["queries"].items():
        cells = [label, f"`{row['q']}`", f"{row['p50_ms']} ms", f"{row['max_ms']} ms", row["answer"]]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    plain = hostile["plain"]
    lines += [
        "",
        f"A plain search ('{plain['query']}', 1 client) alone, while a second client sends the same plain search "
        f"back to back, and while it sends the hostile searches back to back ({plain['hostile_sent_meanwhile']} "
        f"sent), alternated by tens, {plain['requests']} requests in all:",
        "",
        "| plain search | p50 | p95 |",
        "|---|---|---|",
        f"| alone | {plain['alone_p50_ms']} ms | {plain['alone_p95_ms']} ms |",
        f"| while another client sends plain searches | {plain['plain_load_p50_ms']} ms | "
        f"{plain['plain_load_p95_ms']} ms |",
        f"| while another client sends hostile searches | {plain['meanwhile_p50_ms']} ms | "
        f"{plain['meanwhile_p95_ms']} ms |",
        f"| ratio of the medians, hostile / alone | x{plain['ratio_p50']} | |",
        f"| ratio of the medians, hostile / plain load | x{plain['ratio_to_plain_load_p50']} | |",
    ]
    with open(os.path.join(HERE, "results", "search.md"), "w") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
