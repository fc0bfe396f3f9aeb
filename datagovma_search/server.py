"""The HTTP face of a core: the paths and formats of Solr that pysolr and CKAN use.

/solr/<core>/select            GET or POST (form), wt=json
/solr/<core>/update            JSON documents or commands; XML <add>, <delete>, <commit/>,
                               <optimize/>, <rollback/>; commit=true, softCommit, commitWithin
/solr/<core>/admin/ping        {"status": "OK"}
/solr/<core>/schema            ?wt=schema.xml gives the schema file CKAN checks at start-up
/solr/<core>/admin/file        ?file=schema.xml (and the word lists next to it)
"""

import json
import logging
import os
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import orjson
from lxml import etree

from .errors import SolrError

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024 * 1024


def _error_body(msg, code):
    return {
        "responseHeader": {"status": code, "QTime": 0},
        "error": {"metadata": ["error-class", "org.apache.solr.common.SolrException"], "msg": msg, "code": code},
    }


def parse_update_json(body):
    """A JSON update body -> actions: a list of documents, one document, or Solr's command object
    ({"add": {"doc": ...}, "delete": {"id": ...} | {"query": ...}, "commit": {}}), whose keys
    may repeat."""
    text = body.lstrip()
    try:
        if text.startswith("["):
            docs = orjson.loads(text)  # the bulk of an ingestion: the fast parser
            if any(not isinstance(d, dict) for d in docs):
                raise SolrError("Each document of a JSON update must be an object")
            return [("add", docs)]
        pairs = json.loads(text, object_pairs_hook=_keep_pairs)
    except ValueError as exc:
        raise SolrError(f"Cannot parse the JSON update body: {exc}") from None
    if not isinstance(pairs, _Pairs):
        raise SolrError("The JSON update body must be a list of documents or an object of commands")
    if not {k for k, _ in pairs} & {"add", "delete", "commit", "optimize", "rollback"}:
        return [("add", [pairs.as_dict()])]
    actions = []
    for key, value in pairs:
        value = value.as_dict() if isinstance(value, _Pairs) else value
        if key == "add":
            doc = value.get("doc") if isinstance(value, dict) else None
            if not isinstance(doc, dict):
                raise SolrError("An 'add' command needs a 'doc' object")
            actions.append(("add", [doc]))
        elif key == "delete":
            for item in value if isinstance(value, list) else [value]:
                item = item.as_dict() if isinstance(item, _Pairs) else item
                if isinstance(item, str):
                    actions.append(("delete_ids", [item]))
                elif isinstance(item, dict) and "id" in item:
                    actions.append(("delete_ids", [item["id"]]))
                elif isinstance(item, dict) and "query" in item:
                    actions.append(("delete_query", item["query"]))
                else:
                    raise SolrError("A 'delete' command needs an id or a query")
        elif key in ("commit", "optimize", "rollback"):
            actions.append((key, None))
        else:
            raise SolrError(f"Unknown command '{key}' in the JSON update body")
    return actions


class _Pairs(list):
    """A JSON object kept as its (key, value) pairs, since Solr's command keys may repeat."""

    def as_dict(self):
        return {k: v.as_dict() if isinstance(v, _Pairs) else v for k, v in self}


def _keep_pairs(pairs):
    return _Pairs(pairs)


def parse_update_xml(body):
    try:
        root = etree.fromstring(body)
    except etree.XMLSyntaxError as exc:
        raise SolrError(f"Cannot parse the XML update body: {exc.msg}") from None
    actions = []
    elements = list(root) if root.tag == "update" else [root]
    for el in elements:
        if el.tag == "add":
            docs = []
            for doc_el in el.findall("doc"):
                doc = {}
                for f in doc_el.findall("field"):
                    name = f.get("name")
                    if not name:
                        raise SolrError("An XML <field> needs a name attribute")
                    doc.setdefault(name, []).append(f.text or "")
                docs.append({k: v[0] if len(v) == 1 else v for k, v in doc.items()})
            actions.append(("add", docs))
        elif el.tag == "delete":
            ids = [i.text or "" for i in el.findall("id")]
            if ids:
                actions.append(("delete_ids", ids))
            for q in el.findall("query"):
                if not (q.text or "").strip():
                    raise SolrError("An XML <delete><query> must not be empty")
                actions.append(("delete_query", q.text))
            if not ids and not el.findall("query"):
                raise SolrError("An XML <delete> needs <id> or <query>")
        elif el.tag in ("commit", "optimize", "rollback"):
            actions.append((el.tag, None))
        else:
            raise SolrError(f"Unknown XML update command <{el.tag}>")
    return actions


# Responses are written by orjson: UTF-8 as Solr writes it, a fifth of the stdlib's time for a page
# of 20 CKAN datasets (110 kB). Stored documents went through orjson already (store.py), and every
# float it meets is a score, so NaN and infinities (null for orjson) never occur.
_JSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


class Handler(BaseHTTPRequestHandler):
    server_version = "datagovma-search"
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out as separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK hold every keep-alive response back by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):  # route access logs through logging
        log.debug("%s - %s", self.address_string(), fmt % args)

    def _send(self, code, payload, content_type="application/json; charset=utf-8"):
        body = payload if isinstance(payload, bytes) else orjson.dumps(payload, option=_JSON_OPTIONS)
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise SolrError(f"invalid Content-Length: {self.headers.get('Content-Length')!r}") from None
        if length < 0 or length > MAX_BODY:
            raise SolrError(f"request body too large ({length} bytes)", 413)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        self._dispatch(b"")

    def do_POST(self):
        try:
            body = self._body()
        except SolrError as exc:
            self._send(exc.code, _error_body(exc.msg, exc.code))
            return
        self._dispatch(body)

    def _dispatch(self, body):
        core = self.server.core
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        parts = [p for p in url.path.split("/") if p]
        try:
            if len(parts) < 2 or parts[0] != "solr":
                if parts == ["solr"] or not parts:
                    self._send(200, {"status": "OK", "cores": [core.name]})
                    return
                raise SolrError(f"no such path: {url.path}", 404)
            if parts[1] != core.name:
                raise SolrError(f"no such core: {parts[1]} (this service serves '{core.name}')", 404)
            route = "/".join(parts[2:])
            if route == "select":
                ctype = self.headers.get("Content-Type", "")
                if body and "application/x-www-form-urlencoded" in ctype:
                    for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
                        params.setdefault(k, []).extend(v)
                self._send(200, core.select(params))
            elif route in ("update", "update/json", "update/xml"):
                self._send(200, self._update(core, params, body))
            elif route == "admin/ping":
                core.select({"q": ["*:*"], "rows": ["0"]})
                self._send(200, {"responseHeader": {"status": 0, "QTime": 0}, "status": "OK"})
            elif route == "schema" or route.startswith("schema/"):
                if params.get("wt", [""])[-1] == "schema.xml":
                    self._send(200, core.schema.raw, "application/xml; charset=utf-8")
                else:
                    self._send(
                        200,
                        {
                            "responseHeader": {"status": 0, "QTime": 0},
                            "schema": {
                                "name": core.schema.name,
                                "version": core.schema.version,
                                "uniqueKey": core.schema.unique_key,
                            },
                        },
                    )
            elif route == "admin/file":
                self._send_file(core, params.get("file", [""])[-1])
            elif route == "admin/stats":
                self._send(200, core.stats())
            else:
                raise SolrError(f"no such handler: /{route}", 404)
        except SolrError as exc:
            self._send(exc.code, _error_body(exc.msg, exc.code))
        except Exception as exc:  # the service keeps serving; the client gets Solr's 500 shape
            log.exception("error serving %s", self.path)
            self._send(500, _error_body(f"internal error: {exc}", 500))

    def _send_file(self, core, name):
        directory = core.schema.directory
        path = os.path.realpath(os.path.join(directory, name or ""))
        if not name or not path.startswith(os.path.realpath(directory) + os.sep):
            raise SolrError(f"invalid file name: {name!r} (only files next to the schema are served)")
        if name in ("schema.xml", "managed-schema", os.path.basename(core.schema.path)):
            self._send(200, core.schema.raw, "application/xml; charset=utf-8")
            return
        if not os.path.isfile(path):
            raise SolrError(f"Can not find: {name}", 404)
        with open(path, "rb") as handle:
            self._send(200, handle.read(), "text/plain; charset=utf-8")

    def _update(self, core, params, body):
        started = time.perf_counter()
        ctype = self.headers.get("Content-Type", "")
        actions = []
        text = body.strip()
        if text:
            if "json" in ctype or text[:1] in (b"[", b"{"):
                actions = parse_update_json(body.decode("utf-8"))
            else:
                actions = parse_update_xml(body)
        for action, arg in actions:
            if action == "add":
                core.add(arg)
            elif action == "delete_ids":
                core.delete_ids(arg)
            elif action == "delete_query":
                core.delete_query(arg)
            elif action == "commit":
                core.commit()
            elif action == "optimize":
                core.optimize()
            elif action == "rollback":
                core.rollback()
        flag = lambda name: params.get(name, [""])[-1] in ("true", "on")  # noqa: E731
        if flag("commit") or flag("softCommit") or flag("optimize") or params.get("commitWithin"):
            core.optimize() if flag("optimize") else core.commit()
        return {"responseHeader": {"status": 0, "QTime": int((time.perf_counter() - started) * 1000)}}


class SearchServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, core):
        self.core = core
        super().__init__(address, Handler)
