"""A generated corpus of CKAN-shaped search documents for the benchmarks: realistic French and
Arabic titles and descriptions, 1-10 resources, the 12 regions, the producers and themes of the
portal's reference data, tags and formats. Deterministic for a given seed."""

import csv
import hashlib
import json
import os
import random
import uuid
from datetime import datetime, timedelta

DATA = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ckanext-datagovma", "ckanext", "datagovma", "data"
)

SUBJECTS_FR = [
    ("Population légale", "السكان القانونيون"),
    ("Indice des prix à la consommation", "الرقم الاستدلالي للأثمان عند الاستهلاك"),
    ("Taux de chômage", "معدل البطالة"),
    ("Production agricole", "الإنتاج الفلاحي"),
    ("Effectifs des élèves", "أعداد التلاميذ"),
    ("Établissements de santé", "المؤسسات الصحية"),
    ("Qualité de l'eau potable", "جودة الماء الصالح للشرب"),
    ("Arrivées touristiques", "الوافدون السياحيون"),
    ("Budget de l'État", "ميزانية الدولة"),
    ("Exportations de phosphates", "صادرات الفوسفاط"),
    ("Consommation d'électricité", "استهلاك الكهرباء"),
    ("Accidents de la circulation", "حوادث السير"),
    ("Marchés publics", "الصفقات العمومية"),
    ("Naissances et décès", "الولادات والوفيات"),
    ("Entreprises créées", "المقاولات المحدثة"),
    ("Réseau routier", "الشبكة الطرقية"),
    ("Précipitations annuelles", "التساقطات السنوية"),
    ("Logements achevés", "المساكن المنجزة"),
    ("Investissements directs étrangers", "الاستثمارات الأجنبية المباشرة"),
    ("Affaires jugées", "القضايا المحكومة"),
    ("Abonnés à internet", "المشتركون في الإنترنت"),
    ("Pêche côtière", "الصيد الساحلي"),
    ("Produit intérieur brut", "الناتج الداخلي الإجمالي"),
    ("Bénéficiaires de l'assurance maladie", "المستفيدون من التأمين الصحي"),
]
QUALIFIERS = [
    "par région",
    "par province",
    "par sexe et milieu de résidence",
    "par trimestre",
    "par mois",
    "par branche d'activité",
    "par tranche d'âge",
    "en milieu rural",
    "en milieu urbain",
    "par commune",
]
SENTENCES = [
    "Ce jeu de données présente {s} {q} pour la période {a}-{b}.",
    "Les données sont produites par {p} à partir des registres administratifs et des enquêtes nationales.",
    "Les valeurs sont exprimées en unités courantes; les données non disponibles sont notées ND.",
    "La série est mise à jour {f} et couvre l'ensemble du territoire national.",
    "Les résultats détaillés permettent le suivi des politiques publiques et des objectifs de développement.",
    "يعرض هذا المجموع من البيانات {sa} حسب الجهات والأقاليم.",
    "تنشر هذه المعطيات في إطار القانون 31-13 المتعلق بالحق في الحصول على المعلومات.",
]
FREQUENCIES = ["annuellement", "trimestriellement", "mensuellement", "chaque semestre"]
FORMATS = ["CSV", "XLSX", "JSON", "PDF", "XML", "ODS", "GeoJSON", "SHP", "ZIP"]
FORMAT_WEIGHTS = [30, 25, 12, 15, 5, 4, 4, 3, 2]
LICENSES = ["odc-odbl"] * 8 + ["cc-by", "cc-zero", "lo-2.0"]
TAGS = [
    "statistiques",
    "recensement",
    "economie",
    "emploi",
    "sante",
    "education",
    "eau",
    "energie",
    "transport",
    "agriculture",
    "tourisme",
    "budget",
    "finances",
    "environnement",
    "climat",
    "demographie",
    "logement",
    "justice",
    "numerique",
    "peche",
    "commerce",
    "industrie",
    "بيانات",
    "إحصاءات",
    "السكان",
    "الاقتصاد",
    "الصحة",
    "التعليم",
]


def read_csv(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def documents(count, site_id="datagovma", seed=2026):
    """Yields ``count`` documents shaped as CKAN's PackageSearchIndex sends them."""
    rng = random.Random(seed)
    regions = read_csv("regions.csv")
    themes = read_csv("themes.csv")
    producers = read_csv("producers.csv")
    org_ids = {p["slug"]: str(uuid.UUID(int=rng.getrandbits(128))) for p in producers}
    start = datetime(2015, 1, 1)
    for i in range(count):
        subject_fr, subject_ar = rng.choice(SUBJECTS_FR)
        qualifier = rng.choice(QUALIFIERS)
        producer = rng.choice(producers)
        year = rng.randint(2000, 2024)
        title = f"{subject_fr} {qualifier} {year}"
        name = f"{hashlib.md5(title.encode()).hexdigest()[:6]}-{i}"
        dataset_id = str(uuid.UUID(int=rng.getrandbits(128)))
        notes = " ".join(
            s.format(
                s=subject_fr.lower(),
                q=qualifier,
                a=year - rng.randint(1, 20),
                b=year,
                p=producer["name_fr"],
                f=rng.choice(FREQUENCIES),
                sa=subject_ar,
            )
            for s in rng.sample(SENTENCES, rng.randint(3, 6))
        )
        chosen_regions = (
            ["MA"] if rng.random() < 0.4 else [r["iso_3166_2"] for r in rng.sample(regions, rng.randint(1, 4))]
        )
        groups = [t["slug"] for t in rng.sample(themes, rng.randint(1, 2))]
        tags = rng.sample(TAGS, rng.randint(2, 6))
        n_res = rng.randint(1, 10)
        formats = rng.choices(FORMATS, FORMAT_WEIGHTS, k=n_res)
        modified = start + timedelta(minutes=rng.randint(0, 60 * 24 * 365 * 10))
        created = modified - timedelta(days=rng.randint(0, 900))
        private = rng.random() < 0.05
        resources = [
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
                "name": f"{subject_fr} {year} ({fmt})",
                "description": f"Fichier {fmt} — {qualifier}",
                "format": fmt,
                "url": f"https://data.gov.ma/dataset/{name}/resource/{k}.{fmt.lower()}",
                "resource_type": None,
            }
            for k, fmt in enumerate(formats)
        ]
        package = {
            "id": dataset_id,
            "name": name,
            "title": title,
            "notes": notes,
            "type": "dataset",
            "owner_org": org_ids[producer["slug"]],
            "license_id": rng.choice(LICENSES),
            "private": private,
            "state": "active",
            "metadata_created": created.isoformat(),
            "metadata_modified": modified.isoformat(),
            "title_translated": {"fr": title, "ar": f"{subject_ar} {year}"},
            "regions": chosen_regions,
            "tags": [{"name": t} for t in tags],
            "groups": [{"name": g} for g in groups],
            "resources": resources,
            "organization": {"name": producer["slug"], "title": producer["name_fr"]},
            "num_resources": n_res,
            "num_tags": len(tags),
        }
        as_json = json.dumps(package, ensure_ascii=False)
        yield {
            "index_id": hashlib.md5(f"{dataset_id}{site_id}".encode()).hexdigest(),
            "id": dataset_id,
            "name": name,
            "title": title,
            "title_string": title,
            "notes": notes,
            "site_id": site_id,
            "entity_type": "package",
            "dataset_type": "dataset",
            "state": "active",
            "capacity": "private" if private else "public",
            "organization": producer["slug"],
            "owner_org": org_ids[producer["slug"]],
            "groups": groups,
            "tags": tags,
            "license_id": package["license_id"],
            "num_resources": n_res,
            "num_tags": len(tags),
            "res_name": [r["name"] for r in resources],
            "res_description": [r["description"] for r in resources],
            "res_format": formats,
            "res_url": [r["url"] for r in resources],
            "res_type": [""] * n_res,
            "extras_title_ar": package["title_translated"]["ar"],
            "extras_regions": " ".join(chosen_regions),
            "metadata_created": created.isoformat() + "Z",
            "metadata_modified": modified.isoformat() + "Z",
            "permission_labels": [f"member-{package['owner_org']}"] if private else ["public"],
            "data_dict": as_json,
            "validated_data_dict": as_json,
        }
