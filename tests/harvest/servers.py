"""Local stand-ins (127.0.0.1 only) for the sources the harvest tests read: a CKAN 2.9 Action API
replaying data.gov.ma-shaped records, and a static, paged DCAT catalogue in Turtle. Each can be
told to change, hide or break records, or to fail as a whole."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# Organizations as data.gov.ma names them: some match our producers by name, acronym or title;
# "agence-nationale-des-ports" is none of ours (the harvester creates it and reports it).
ORGANIZATIONS = [
    {"name": "hcp", "title": "Haut-Commissariat au Plan"},
    {"name": "ministere-de-l-economie-et-des-finances", "title": "Ministère de l'Économie et des Finances"},
    {"name": "anp", "title": "Agence Nationale des Ports", "title_ar": "الوكالة الوطنية للموانئ"},
]
GROUPS = [
    {"name": "economie-et-finance", "title": "Économie et finance"},
    {"name": "sante", "title": "Santé", "title_ar": "الصحة"},
    {"name": "logistique-portuaire", "title": "Logistique portuaire"},  # not a national theme
]
SUBJECTS = [
    ("Indice des prix à la consommation", "مؤشر الأثمان عند الاستهلاك"),
    ("Budget citoyen", "الميزانية المواطنة"),
    ("Trafic portuaire", "حركة الموانئ"),
    ("Établissements de santé", "المؤسسات الصحية"),
    ("Recettes fiscales", None),
]


def _id(i):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"data.gov.ma/dataset/{i}"))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, data, content_type="application/json; charset=utf-8", fault=None):
        if isinstance(data, (dict, list)):
            data = json.dumps(data, ensure_ascii=False).encode()
        elif isinstance(data, str):
            data = data.encode()
        if fault == "500":
            status, data = 500, b'{"success": false, "error": {"message": "Internal Server Error"}}'
        elif fault == "invalid-json":
            data = b"<html><body>Maintenance en cours</body></html>"
        elif fault == "timeout":
            threading.Event().wait(self.server.slow_seconds)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if fault == "truncated" else data)
        if fault == "truncated":
            self.close_connection = True

    def do_HEAD(self):
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        parts = urlsplit(self.path)
        self.server.route(self, parts.path.rstrip("/"), {k: v[-1] for k, v in parse_qs(parts.query).items()})


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address=("127.0.0.1", 0)):
        super().__init__(address, Handler)
        self.fault = None  # the whole source: "500", "invalid-json", "truncated", "timeout"
        self.slow_seconds = 5
        self.hidden = set()
        self.requests = 0

    @property
    def url(self):
        return f"http://{self.server_address[0]}:{self.server_port}"

    def start(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()


class Redirector(LocalServer):
    """Answers every GET with a redirect (``status``) to the same path and query on ``target``
    (a base address); ``target=None`` redirects to itself, one step further each time
    (``/hop/1`` -> ``/hop/2``...)."""

    def __init__(self, target=None, status=302, address=("127.0.0.1", 0)):
        super().__init__(address)
        self.target = target
        self.status = status

    def route(self, handler, path, query):
        self.requests += 1
        if self.target is None:
            step = int(path.rsplit("/", 1)[-1]) if path.rsplit("/", 1)[-1].isdigit() else 0
            location = f"/hop/{step + 1}"
        else:
            location = self.target + handler.path
        handler.send_response(self.status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()


class Routes(LocalServer):
    """Fixed answers, ``{path: (status, content type, body)}``; records the Host header of each
    request. ``drip`` (seconds) sends a body of unknown length a byte at a time at that pace."""

    def __init__(self, routes=None, address=("127.0.0.1", 0)):
        super().__init__(address)
        self.routes = dict(routes or {})
        self.hosts = []
        self.drip = None

    def route(self, handler, path, query):
        self.requests += 1
        self.hosts.append(handler.headers.get("Host"))
        status, content_type, body = self.routes.get(path or "/", (404, "text/plain", "not found"))
        if self.drip:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.close_connection = True
            for byte in (body.encode() if isinstance(body, str) else body):
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                threading.Event().wait(self.drip)
            return
        handler._send(status, body, content_type, fault=self.fault)


class CKANPortal(LocalServer):
    """``/api/3/action/package_search`` as CKAN 2.9 answers it (at most ``rows_max`` per page)."""

    rows_max = 10

    def __init__(self, count=24):
        super().__init__()
        self.records = [self._record(i) for i in range(count)]
        self.bad_records = []  # records as broken as a real catalogue may hold

    @staticmethod
    def _record(i):
        subject, subject_ar = SUBJECTS[i % len(SUBJECTS)]
        organization = ORGANIZATIONS[i % len(ORGANIZATIONS)]
        group = GROUPS[i % len(GROUPS)]
        title_fr = f"{subject} — {2015 + i % 10} ({i})"
        record = {
            "id": _id(i),
            "name": f"data-{i}-{subject_ar and 'bilingue' or 'fr'}".replace("_", "-"),
            "type": "dataset",
            "state": "active",
            "private": False,
            "license_id": ("odc-odbl", "cc-by", "odc-odbl", "CC-BY-4.0")[i % 4],
            "metadata_created": "2019-03-01T10:00:00.000000",
            "metadata_modified": f"2024-0{1 + i % 9}-15T08:30:00.000000",
            "organization": dict(organization, id=str(uuid.uuid5(uuid.NAMESPACE_URL, organization["name"])),
                                 type="organization", is_organization=True),
            "owner_org": str(uuid.uuid5(uuid.NAMESPACE_URL, organization["name"])),
            "groups": [dict(group, display_name=group["title"])] if i % 5 else [],
            "tags": [{"name": "maroc"}, {"name": subject.split()[0].lower()}],
            "extras": [{"key": "frequence", "value": ("Annuelle", "Mensuelle", "Trimestrielle")[i % 3]}],
            "resources": [
                {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{i}/{k}")),
                    "name": f"{subject} {2015 + k}",
                    "url": f"https://data.gov.ma/data/fr/dataset/{_id(i)}/resource/{k}/download/donnees-{k}.xlsx",
                    "format": ("XLSX", "CSV", "PDF")[k % 3],
                    "url_type": "upload",
                }
                for k in range(1 + i % 3)
            ],
        }
        if i % 2:  # the scheming/fluent way
            record["title_translated"] = {"fr": title_fr, "ar": subject_ar or ""}
            record["notes_translated"] = {"fr": f"Données de {subject.lower()}.", "ar": ""}
            record["title"] = title_fr
        else:  # data.gov.ma's flat keys
            record["title"] = title_fr
            record["title_fr"] = title_fr
            if subject_ar:
                record["title_ar"] = subject_ar
                record["notes_ar"] = f"معطيات {subject_ar}"
            record["notes"] = f"Données de {subject.lower()} publiées sur data.gov.ma." if i % 7 else ""
        return record

    def change(self, index, title="Indice révisé"):
        record = self.records[index]
        record["title"] = record["title_fr"] = title
        record.pop("title_translated", None)
        record["metadata_modified"] = "2026-11-01T00:00:00.000000"

    def route(self, handler, path, query):
        self.requests += 1
        if path != "/api/3/action/package_search":
            return handler._send(404, {"success": False, "error": {"message": "Not found"}})
        visible = [r for r in self.records + self.bad_records if r.get("id") not in self.hidden]
        start = int(query.get("start", 0))
        rows = min(int(query.get("rows", 10)), self.rows_max)
        page = visible[start:start + rows]
        fault = self.fault if not isinstance(self.fault, tuple) else (self.fault[0] if start >= self.fault[1] else None)
        handler._send(200, {
            "help": f"{self.url}/api/3/action/help_show?name=package_search",
            "success": True,
            "result": {"count": len(visible), "results": page, "sort": "id asc", "facets": {}, "search_facets": {}},
        }, fault=fault)


TURTLE_PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


class DCATCatalogue(LocalServer):
    """``/catalog.ttl?page=N`` (and ``/catalog.jsonld``, ``/catalog.rdf``, the same graph in
    JSON-LD and RDF/XML): a DCAT-AP catalogue of a region's portal, ``per_page`` datasets a page,
    linked by ``hydra:nextPage``."""

    per_page = 10

    def __init__(self, count=25):
        super().__init__()
        self.datasets = [self._dataset(i) for i in range(count)]
        self.page_faults = {}  # page number -> fault

    def _dataset(self, i):
        subject, subject_ar = SUBJECTS[i % len(SUBJECTS)]
        publisher = ("haut-commissariat-au-plan", "conseil-regional-souss-massa")[i % 2]
        return {
            "identifier": f"souss-massa-{i:03d}",
            "title_fr": f"{subject} — Souss-Massa ({i})",
            "title_ar": subject_ar,
            "description_fr": f"{subject} dans la région Souss-Massa, par commune.",
            "publisher": publisher,
            "publisher_name": ("Haut-Commissariat au Plan", "Conseil régional Souss-Massa")[i % 2],
            "theme": ("finance", "sante", "tourisme")[i % 3],
            "region": "MA-09",
            "licence": "http://opendatacommons.org/licenses/odbl/1-0/" if i != 7 else None,
            "modified": f"2025-0{1 + i % 9}-01",
            "distributions": [("CSV", f"https://opendata.soussmassa.ma/files/{i}.csv")],
        }

    def change(self, index, title="Révisé"):
        self.datasets[index]["title_fr"] = title
        self.datasets[index]["modified"] = "2026-11-20"

    def _turtle(self, dataset):
        uri = f"{self.url}/dataset/{dataset['identifier']}"
        lines = [
            f"<{uri}> a dcat:Dataset ;",
            f'  dct:identifier "{dataset["identifier"]}" ;',
            f'  dct:title "{dataset["title_fr"]}"@fr ;',
        ]
        if dataset["title_ar"]:
            lines.append(f'  dct:title "{dataset["title_ar"]}"@ar ;')
        lines += [
            f'  dct:description "{dataset["description_fr"]}"@fr ;',
            f'  dct:modified "{dataset["modified"]}"^^xsd:date ;',
            f"  dct:publisher <{self.url}/organization/{dataset['publisher']}> ;",
            f"  dcat:theme <{self.url}/group/{dataset['theme']}> ;",
            f"  dct:spatial <{self.url}/region/{dataset['region']}> ;",
            '  dcat:keyword "Souss-Massa"@fr ;',
        ]
        for k, _ in enumerate(dataset["distributions"]):
            lines.append(f"  dcat:distribution <{uri}/distribution/{k}> ;")
        lines[-1] = lines[-1][:-1] + "."
        lines += [
            f"<{self.url}/organization/{dataset['publisher']}> a foaf:Agent ;",
            f'  foaf:name "{dataset["publisher_name"]}"@fr .',
        ]
        for k, (fmt, url) in enumerate(dataset["distributions"]):
            lines += [
                f"<{uri}/distribution/{k}> a dcat:Distribution ;",
                f'  dct:title "{dataset["title_fr"]} ({fmt})"@fr ;',
                f"  dcat:accessURL <{url}> ;",
                f'  dct:format "{fmt}" ;',
            ]
            if dataset["licence"]:
                lines.append(f"  dct:license <{dataset['licence']}> ;")
            lines[-1] = lines[-1][:-1] + "."
        return "\n".join(lines)

    def route(self, handler, path, query):
        self.requests += 1
        formats = {"/catalog.ttl": ("turtle", "text/turtle"), "/catalog.jsonld": ("json-ld", "application/ld+json"),
                   "/catalog.rdf": ("xml", "application/rdf+xml")}
        if path not in formats:
            return handler._send(404, "not found", "text/plain")
        rdf_format, media_type = formats[path]
        visible = [d for d in self.datasets if d["identifier"] not in self.hidden]
        page = int(query.get("page", 1))
        last = max(1, -(-len(visible) // self.per_page))
        items = visible[(page - 1) * self.per_page:page * self.per_page]
        catalog = f"{self.url}{path}"
        body = [TURTLE_PREFIXES, f"<{catalog}> a dcat:Catalog ;", '  dct:title "Catalogue Souss-Massa"@fr ;']
        body += [f"  dcat:dataset <{self.url}/dataset/{d['identifier']}> ;" for d in items]
        body[-1] = body[-1][:-1] + "."
        paging = [f"<{catalog}?page={page}> a hydra:PagedCollection ;",
                  f'  hydra:totalItems "{len(visible)}"^^xsd:integer ;',
                  f'  hydra:itemsPerPage "{self.per_page}"^^xsd:integer ;',
                  f"  hydra:firstPage <{catalog}?page=1> ;",
                  f"  hydra:lastPage <{catalog}?page={last}> ;"]
        if page < last:
            paging.append(f"  hydra:nextPage <{catalog}?page={page + 1}> ;")
        paging[-1] = paging[-1][:-1] + "."
        body += paging + [self._turtle(d) for d in items]
        fault = self.page_faults.get(page, self.fault)
        text = "\n".join(body) + "\n"
        if rdf_format != "turtle":
            import rdflib

            text = rdflib.Graph().parse(data=text, format="turtle").serialize(format=rdf_format)
        handler._send(200, text, f"{media_type}; charset=utf-8", fault=fault)
