"""`datagovma-search`: serve one search core over HTTP.

datagovma-search --schema config/solr/schema.xml --data-dir var/search --port 8983
"""

import argparse
import errno
import gc
import logging
import signal
import sys
import threading

from .core import MAX_PATTERN_LENGTH, MAX_TERMS, TIME_ALLOWED_MS, Core
from .errors import SchemaError
from .server import SearchServer
from .store import DataDirInUse

log = logging.getLogger("datagovma_search")


def build_parser():
    parser = argparse.ArgumentParser(prog="datagovma-search", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8983, help="port to listen on (default 8983)")
    parser.add_argument("--data-dir", required=True, help="directory of the durable index")
    parser.add_argument("--schema", required=True, help="the Solr schema.xml to serve")
    parser.add_argument("--core", default="ckan", help="core name in the URL /solr/<core> (default ckan)")
    parser.add_argument("--max-rows", type=int, default=200_000, help="largest rows= accepted (default 200000)")
    parser.add_argument(
        "--time-allowed",
        type=int,
        default=TIME_ALLOWED_MS,
        metavar="MS",
        help="most milliseconds a search may take; past it the results found are answered, flagged "
        f"partialResults (Solr's timeAllowed: a request may ask for less). 0: no limit (default {TIME_ALLOWED_MS})",
    )
    parser.add_argument(
        "--max-terms",
        type=int,
        default=MAX_TERMS,
        help="most terms a regexp, wildcard, fuzzy, prefix or range query may match; past it the query is "
        f"refused (400), as Solr's maxClauseCount. 0: no limit (default {MAX_TERMS})",
    )
    parser.add_argument(
        "--max-pattern-length",
        type=int,
        default=MAX_PATTERN_LENGTH,
        help="longest regexp, wildcard or fuzzy pattern accepted, in characters; a longer one is refused (400). "
        f"0: no limit (default {MAX_PATTERN_LENGTH})",
    )
    parser.add_argument("--log-level", default="INFO")
    return parser


def fail(message):
    print(f"datagovma-search: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        # The index is millions of long-lived objects: Python's default collector thresholds
        # rescan them so often that ingestion ran at two thirds of its speed. Collect rarely,
        # and leave what the start-up loaded out of every later scan.
        gc.set_threshold(50_000, 20, 100)
        core = Core(
            args.schema,
            args.data_dir,
            name=args.core,
            max_rows=args.max_rows,
            time_allowed_ms=args.time_allowed,
            max_terms=args.max_terms,
            max_pattern_length=args.max_pattern_length,
        )
        gc.collect()
        gc.freeze()
    except FileNotFoundError as exc:
        fail(f"cannot read the schema file {exc.filename}: no such file")
    except SchemaError as exc:
        fail(f"the schema cannot be used: {exc}")
    except DataDirInUse as exc:
        fail(str(exc))
    for name in sorted(set(core.schema.loader.missing)):
        log.warning("%s names the word list %s, which is not next to it: read as empty", core.schema.path, name)
    try:
        server = SearchServer((args.host, args.port), core)
    except OSError as exc:
        core.close()
        if exc.errno == errno.EADDRINUSE:
            fail(f"port {args.port} on {args.host} is already in use; stop what listens there or choose --port")
        fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror}")

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "serving core '%s' (schema %s, %d documents) at http://%s:%d/solr/%s",
        args.core,
        core.schema.name,
        core.index.live_count,
        args.host,
        args.port,
        args.core,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        core.commit()  # as Solr does on a clean shutdown
        core.close()
        log.info("stopped")


if __name__ == "__main__":
    main()
