"""Summarises a conformance run (CKAN's own tests against the search service) from its JUnit XML.

    python bench/conformance_report.py var/conformance.xml [--known docs/conformance.md]

Prints passed/failed/skipped/errors and the pass rate, lists every failure, and exits 1 when a
test fails that docs/conformance.md does not list with its reason, or when a test was skipped
because the search service was unreachable.
"""

import argparse
import re
import sys
import xml.etree.ElementTree as ET


def known_failures(path):
    """Node ids written in backquotes in the "Known failures" section of the document."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return set()
    section = text.split("## Known failures", 1)[-1].split("\n## ", 1)[0]
    return set(re.findall(r"`([^`]+::[^`]+)`", section))


def node_id(case):
    """'ckan.tests.lib.search.test_search' + 'test_x' -> 'ckan/tests/lib/search/test_search.py::test_x'
    (pytest runs with --rootdir at site-packages, so class names start at the package)."""
    parts = case.get("classname", "").split(".")
    cut = max((i for i, p in enumerate(parts) if p.startswith("test")), default=len(parts) - 1)
    return "::".join(["/".join(parts[: cut + 1]) + ".py", *parts[cut + 1 :], case.get("name", "")])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("junit")
    parser.add_argument("--known", default="docs/conformance.md")
    args = parser.parse_args()
    root = ET.parse(args.junit).getroot()
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    failures, unreachable = [], []
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            counts["failed"] += 1
            failures.append(node_id(case))
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
            if "solr" in (case.find("skipped").get("message") or "").lower():
                unreachable.append(node_id(case))
        else:
            counts["passed"] += 1
    total = sum(counts.values())
    rate = 100.0 * counts["passed"] / max(total, 1)
    known = known_failures(args.known)
    unexplained = [f for f in failures if f not in known]
    print(
        f"conformance: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped "
        f"of {total} collected; pass rate {rate:.2f}%"
    )
    for f in failures:
        print(f"  {'known ' if f in known else 'NEW   '} {f}")
    for s in unreachable:
        print(f"  SKIPPED (search unreachable) {s}")
    if unexplained or unreachable:
        print(
            f"{len(unexplained)} failure(s) not explained in {args.known}; {len(unreachable)} skip(s) "
            "because search was unreachable",
            file=sys.stderr,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
