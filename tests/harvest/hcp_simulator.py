"""A local stand-in for the HCP statistical database API (BDS), for tests, benchmarks and
`make run HCP=1` (nothing here talks to the real service). A test double: it lives with the tests
and is not part of the installed package.

    python -m tests.harvest.hcp_simulator --port 8990 --indicators 830   # from the repository root

Content is generated deterministically in the shape of ../shared/reference/hcp-bds-api.md: 7
subject groups, French labels (some Arabic), annual, quarterly and monthly series, breakdowns by
the 12 regions, "ND" values, comma decimals, non-breaking-space thousands, footnotes,
``dimensions: null``. A running simulator can be told to change, drop or break records, or to
fail as a whole, so that tests can exercise every fault."""

import argparse
import json
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GROUPS = [
    ("economie", "Économie"),
    ("marche-du-travail", "Marché du travail"),
    ("population", "Population & Démographie"),
    ("conditions-de-vie", "Conditions de vie des ménages"),
    ("education", "Éducation et formation"),
    ("sante", "Santé"),
    ("agriculture", "Agriculture et pêche"),
]
SUBJECTS = {
    "economie": [
        ("Produit intérieur brut", "الناتج الداخلي الإجمالي"),
        ("Indice des prix à la consommation", None),
        ("Valeur ajoutée par branche", None),
        ("Exportations de biens", "صادرات السلع"),
    ],
    "marche-du-travail": [
        ("Taux de chômage", "معدل البطالة"),
        ("Taux d'activité", None),
        ("Population active occupée", None),
    ],
    "population": [
        ("Population légale", "السكان القانونيون"),
        ("Taux d'urbanisation", None),
        ("Naissances vivantes", None),
    ],
    "conditions-de-vie": [("Dépense annuelle moyenne par ménage", None), ("Taux de pauvreté", "معدل الفقر")],
    "education": [("Taux de scolarisation", "معدل التمدرس"), ("Taux d'analphabétisme", None)],
    "sante": [("Densité médicale", None), ("Mortalité infantile", "وفيات الرضع")],
    "agriculture": [("Production céréalière", "إنتاج الحبوب"), ("Débarquements de la pêche côtière", None)],
}
REGIONS = [
    "Tanger-Tétouan-Al Hoceïma",
    "L'Oriental",
    "Fès-Meknès",
    "Rabat-Salé-Kénitra",
    "Béni Mellal-Khénifra",
    "Casablanca-Settat",
    "Marrakech-Safi",
    "Drâa-Tafilalet",
    "Souss-Massa",
    "Guelmim-Oued Noun",
    "Laâyoune-Sakia El Hamra",
    "Dakhla-Oued Ed-Dahab",
]
NBSP = "\u00a0"


def _periods(kind):
    if kind == "annual":
        return [str(y) for y in range(2005, 2025)]
    if kind == "quarterly":
        return [f"{y}T{q}" for y in range(2016, 2025) for q in range(1, 5)]
    return [f"{y}M{m:02d}" for y in range(2021, 2025) for m in range(1, 13)]


def _value(rng, magnitude):
    if rng.random() < 0.04:
        return "ND"
    number = rng.uniform(0.1, 1.0) * magnitude
    if magnitude >= 10_000:
        return f"{int(number):,}".replace(",", NBSP)
    return f"{number:.1f}".replace(".", ",")


class Catalogue:
    """The simulated database: indicators by code, and the faults to play."""

    def __init__(self, count=830, seed=31):
        self.rng = random.Random(seed)
        self.indicators = {}
        self.groups = {slug: [] for slug, _ in GROUPS}
        for i in range(count):
            slug, group_label = GROUPS[i % len(GROUPS)]
            label_fr, label_ar = SUBJECTS[slug][(i // len(GROUPS)) % len(SUBJECTS[slug])]
            code = f"I{1000 + i}"
            self.indicators[code] = self._indicator(code, f"{label_fr} ({code})", label_ar, i)
            self.groups[slug].append(code)
        self.group_labels = dict(GROUPS)
        self.catalog_fault = None  # None, "500", "invalid-json", "truncated", "timeout"
        self.record_faults = {}  # code -> "500", "invalid-json", "truncated", "timeout", "malformed"
        self.hidden = set()
        self.delay = 0.0  # seconds before each indicator's answer (a slow source)

    def _indicator(self, code, label, label_ar, i):
        rng = self.rng
        kind = ("annual", "quarterly", "monthly")[i % 3]
        periods = _periods(kind)
        layout = i % 5
        magnitude = (100, 1_000_000, 50)[i % 3]
        data = {}
        if layout == 0:
            dimensions = None
            for p in periods:
                data[p] = {"value": _value(rng, magnitude), "footNote": None}
        elif layout in (1, 2):
            dimensions = [
                {
                    "id": 1,
                    "label": "Région",
                    "modalites": [{"id": 100 + k, "label": name, "total": False} for k, name in enumerate(REGIONS)],
                }
            ]
            for k in range(len(REGIONS)):
                for p in periods[-6:]:
                    data[f"{100 + k}_{p}"] = {"value": _value(rng, magnitude), "footNote": None}
        else:
            dimensions = [
                {
                    "id": 2,
                    "label": "Sexe",
                    "modalites": [
                        {"id": 10, "label": "Hommes", "total": False},
                        {"id": 11, "label": "Femmes", "total": False},
                        {"id": 12, "label": "Ensemble", "total": True},
                    ],
                }
            ]
            for m in (10, 11, 12):
                for p in periods:
                    data[f"{m}_{p}"] = {
                        "value": _value(rng, magnitude),
                        "footNote": "Données provisoires" if p == periods[-1] else None,
                    }
        indicator = {
            "code": code,
            "label": label,
            "metaData": {"unit": ("%", "En milliers", "En millions de dhs")[i % 3]},
            "periods": periods,
            "dimensions": dimensions,
            "data": data,
            "updatingDate": 1700000000000 + i * 86_400_000,
        }
        if label_ar:
            indicator["labelAr"] = label_ar
        return indicator

    def change(self, code, value="999,9"):
        """A new value in one series, as a producer's update would bring."""
        indicator = self.indicators[code]
        first = next(iter(indicator["data"]))
        indicator["data"][first] = {"value": value, "footNote": "Révisé"}
        indicator["updatingDate"] += 86_400_000

    def subject_groups(self):
        return [
            {
                "id": slug,
                "label": self.group_labels[slug],
                "indicators": [
                    {"code": c, "label": self.indicators[c]["label"]} for c in codes if c not in self.hidden
                ],
            }
            for slug, codes in self.groups.items()
        ]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, body, truncated=False):
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if truncated else data)

    def _fault(self, fault, payload):
        if fault == "500":
            self._send(500, {"error": "Erreur interne du serveur"})
        elif fault == "invalid-json":
            self._send(200, b"<html><body>Maintenance</body></html>")
        elif fault == "truncated":
            self._send(200, payload, truncated=True)
            self.close_connection = True
        elif fault == "malformed":  # valid JSON, not the API's shape: labels and cells of the wrong type
            self._send(200, dict(payload, label=["?"], dimensions=[{"modalites": "Région"}],
                                 data={k: "12,5" for k in payload["data"]}))
        elif fault == "timeout":
            threading.Event().wait(5)
            self._send(200, payload)
        else:
            self._send(200, payload)

    def do_GET(self):
        catalogue = self.server.catalogue
        path = self.path.split("?", 1)[0].rstrip("/")
        if path.endswith("/api/v1/subject-groups"):
            self._fault(catalogue.catalog_fault, catalogue.subject_groups())
        elif "/api/v1/indicators/" in path:
            code = path.rsplit("/", 1)[-1]
            if code not in catalogue.indicators or code in catalogue.hidden:
                self._send(404, {"error": f"indicateur inconnu : {code}"})
            else:
                if catalogue.delay:
                    threading.Event().wait(catalogue.delay)
                self._fault(catalogue.record_faults.get(code), catalogue.indicators[code])
        else:
            self._send(404, {"error": "not found"})


class Simulator(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port=0, count=830):
        self.catalogue = Catalogue(count)
        super().__init__(("127.0.0.1", port), Handler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_port}"

    def start(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8990)
    parser.add_argument("--indicators", type=int, default=830)
    args = parser.parse_args()
    server = Simulator(args.port, args.indicators)
    print(f"HCP simulator: {args.indicators} indicators at {server.url}/api/v1/subject-groups", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
