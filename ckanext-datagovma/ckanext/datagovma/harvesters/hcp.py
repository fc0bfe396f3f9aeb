"""Harvester of the HCP statistical database (BDS): each indicator becomes one dataset.

GUID: the indicator code (``I1588``); the dataset is named ``hcp-i1588`` and keeps its id, name
and resource URLs across runs. A re-harvest imports an indicator only when its ``updatingDate``
or the hash of its content changed. Indicators that vanish from the catalogue are deleted, unless
more than ``deletion_threshold`` (share, default 0.2) would go at once: then nothing is deleted
and the job reports it for review.
"""

import csv
import datetime as dt
import io
import json
import logging
import re
import unicodedata

import requests
from ckan.plugins import toolkit as tk
from ckanext.harvest.model import HarvestObject
from werkzeug.datastructures import FileStorage

from .. import reference
from ..fetcher import URLRefused
from . import rules
from .base import DatagovmaHarvester

log = logging.getLogger(__name__)

GROUP_THEMES = {
    "economie": ["finance"],
    "marche-du-travail": ["emploi"],
    "population": ["societe"],
    "conditions-de-vie": ["societe"],
    "education": ["education"],
    "sante": ["sante"],
    "agriculture": ["agriculture"],
}


def _fold(text):
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]+", " ", text).strip()


def number(text):
    """'12,5' -> 12.5, '1 234' -> 1234.0, 'ND' -> None."""
    if text is None:
        return None
    cleaned = str(text).replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    if cleaned.upper() in ("ND", "", "-"):
        return None
    try:
        return float(cleaned)
    except ValueError:
        return None


def period_bounds(period):
    """'2019' / '2020T1' / '2020M01' / '01/2020' -> (first day, last day)."""
    if re.fullmatch(r"\d{4}", period):
        return dt.date(int(period), 1, 1), dt.date(int(period), 12, 31)
    m = re.fullmatch(r"(\d{4})T([1-4])", period)
    if m:
        year, quarter = int(m[1]), int(m[2])
        start = dt.date(year, 3 * quarter - 2, 1)
        end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1)
        return start, end
    m = re.fullmatch(r"(\d{4})M(\d{2})", period) or re.fullmatch(r"(\d{2})/(\d{4})", period)
    if m:
        year, month = (int(m[1]), int(m[2])) if len(m[1]) == 4 else (int(m[2]), int(m[1]))
        start = dt.date(year, month, 1)
        end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
        return start, end
    return None, None


def frequency(periods):
    if periods and all(re.fullmatch(r"\d{4}", p) for p in periods):
        return "annual"
    if periods and all("T" in p for p in periods):
        return "quarterly"
    if periods and all("M" in p or "/" in p for p in periods):
        return "monthly"
    return "irregular"


def tidy_rows(indicator):
    """The series as rows: period, one column per dimension, value (number or empty), unit, note."""
    dimensions = indicator.get("dimensions") or []
    labels = {m["id"]: m["label"] for d in dimensions for m in d.get("modalites", [])}
    unit = (indicator.get("metaData") or {}).get("unit", "")
    rows = []
    for key, cell in (indicator.get("data") or {}).items():
        parts = key.split("_")
        period, ids = parts[-1], parts[:-1]
        row = {"period": period}
        for dimension, modality in zip(dimensions, ids, strict=False):
            row[dimension["label"]] = labels.get(int(modality), modality) if modality.isdigit() else modality
        value = number((cell or {}).get("value"))
        row.update(value=value, unit=unit, footnote=(cell or {}).get("footNote") or "")
        rows.append(row)
    return [d["label"] for d in dimensions], rows


def regions_of(indicator):
    names = {_fold(row["name_fr"]): code for code, row in reference.regions().items()}
    found = set()
    for dimension in indicator.get("dimensions") or []:
        for modality in dimension.get("modalites", []):
            code = names.get(_fold(modality["label"]))
            if code:
                found.add(code)
    return sorted(found)


class HCPHarvester(DatagovmaHarvester):
    """The HCP statistics API (``{source}/api/v1/subject-groups``, ``/api/v1/indicators/{code}``).
    Source configuration, optional JSON: {"owner_org": "...", "deletion_threshold": 0.2}."""

    not_json = "the fetched content is not JSON"
    record_noun = "series"

    def info(self):
        return {
            "name": "hcp",
            "title": "HCP — base de données statistiques",
            "description": "Indicateurs du Haut-Commissariat au Plan (un jeu de données par indicateur)",
        }

    @staticmethod
    def _config(source):
        return rules.source_config(source, owner_org="haut-commissariat-au-plan")

    # --- gather ------------------------------------------------------------------------------

    def gather_stage(self, harvest_job):
        """One harvest object per indicator of the catalogue (GUID = code), and deletions.

        :param harvest_job: the job being run
        :returns: the ids of the harvest objects to fetch, or None on a gather error
        """
        source = harvest_job.source
        url = source.url.rstrip("/") + "/api/v1/subject-groups"
        found = self.read_catalogue(harvest_job, url, self._indicators(url))
        if found is None:
            return None
        records = {record["code"]: record for record in found}
        current = {guid: obj.package_id for guid, obj in rules.current_objects(source.id).items()}
        ids = []
        for code, record in records.items():
            obj = HarvestObject(guid=code, job=harvest_job, content=json.dumps(record), package_id=current.get(code))
            obj.save()
            ids.append(obj.id)
        return ids + self.plan_deletions(harvest_job, list(records))

    def _indicators(self, url):
        """The catalogue, one page: each indicator's code, and its subject group."""
        yield [{"code": ind["code"], "group": g["id"], "group_label": g.get("label")}
               for g in self.fetch_json(url) for ind in g.get("indicators", [])]

    # --- fetch -------------------------------------------------------------------------------

    def fetch_stage(self, harvest_object):
        """Fetches the indicator's whole series; an error is recorded against this record only."""
        if rules.extra(harvest_object, "status") == "delete":
            return True
        record = json.loads(harvest_object.content)
        url = harvest_object.source.url.rstrip("/") + f"/api/v1/indicators/{record['code']}"
        try:
            indicator = self.fetch_json(url)
            if indicator.get("code") != record["code"] or not isinstance(indicator.get("data"), dict):
                raise ValueError("the answer is not this indicator")
        except URLRefused as exc:
            self._save_object_error(str(exc), harvest_object, "Fetch")
            return False
        except (requests.RequestException, ValueError) as exc:
            self._save_object_error(f"{record['code']}: {url} could not be read: {exc}", harvest_object, "Fetch")
            return False
        # A record delivered twice holds the indicator fetched the first time (with "_group").
        indicator["_group"] = record.get("group") or record.get("_group")
        harvest_object.content = json.dumps(indicator, ensure_ascii=False)
        harvest_object.save()
        return True

    # --- import (the stage itself: base.DatagovmaHarvesterMixin.import_stage) ------------------

    def existing_dataset(self, previous, indicator):
        """The indicator's dataset: the one the last import wrote, else one of its name (left by an
        import that was interrupted before it recorded itself)."""
        return (super().existing_dataset(previous, indicator)
                or self.active_dataset(f"hcp-{str(indicator.get('code', '')).lower()}"))

    def fingerprint(self, indicator):
        """The series' hash and the API's ``updatingDate``: either changing imports it again."""
        keys = ("label", "labelAr", "periods", "dimensions", "data", "metaData")
        return {"content_hash": rules.content_hash({k: indicator.get(k) for k in keys}),
                "updating_date": str(indicator.get("updatingDate"))}

    def write_dataset(self, indicator, existing, harvest_object):
        """The indicator's dataset and its two files (:meth:`_save_dataset`)."""
        return self._save_dataset(indicator, existing, self._config(harvest_object.source))

    def _dataset_dict(self, indicator, config):
        code = indicator["code"]
        periods = indicator.get("periods") or []
        regions = regions_of(indicator)
        title = {"fr": indicator.get("label") or code}
        if indicator.get("labelAr"):
            title["ar"] = indicator["labelAr"]
        unit = (indicator.get("metaData") or {}).get("unit", "")
        start = period_bounds(periods[0])[0] if periods else None
        end = period_bounds(periods[-1])[1] if periods else None
        notes = {
            "fr": f"Série « {title['fr']} » de la base de données statistiques du Haut-Commissariat au Plan "
            f"({len(periods)} périodes{', ' + unit if unit else ''})."
        }
        if "ar" in title:
            notes["ar"] = f"سلسلة « {title['ar']} » من قاعدة المعطيات الإحصائية للمندوبية السامية للتخطيط."
        return self.publish({
            "name": f"hcp-{code.lower()}",
            "title_translated": title,
            "notes_translated": notes,
            "owner_org": config["owner_org"],
            "themes": GROUP_THEMES.get(indicator.get("_group"), ["societe"]),
            "spatial_coverage": "regional" if regions else "national",
            "regions": regions,
            "temporal_start": start.isoformat() if start else None,
            "temporal_end": end.isoformat() if end else None,
            "frequency": frequency(periods),
            "license_id": "odc-odbl",
            "data_languages": ["fr"] + (["ar"] if "ar" in title else []),
            "legal_basis": "loi-31-13-art-10-statistiques",
            "classification": "non-classifie",
            "personal_data": "aucune",
            "tag_string": "hcp,statistiques",
        })

    def _files(self, indicator):
        columns, rows = tidy_rows(indicator)
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=["period", *columns, "value", "unit", "footnote"])
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "value": "" if row["value"] is None else row["value"]})
        code = indicator["code"]
        series = {
            "code": code,
            "label": indicator.get("label"),
            "unit": (indicator.get("metaData") or {}).get("unit"),
            "dimensions": columns,
            "rows": rows,
        }
        return [
            (f"{code}.csv", "CSV", text.getvalue().encode("utf-8"), {"fr": f"{code} — série (CSV)"}),
            (
                f"{code}.json",
                "JSON",
                json.dumps(series, ensure_ascii=False).encode("utf-8"),
                {"fr": f"{code} — série (JSON)"},
            ),
        ]

    def _save_dataset(self, indicator, existing, config):
        """Writes the dataset and its two stored files (CSV and JSON of the series) in one
        package_update: resource_create and resource_update each rewrite and re-index the whole
        dataset, three writes per indicator. A resource keeps its id and URL from run to run; the
        files are the harvester's own, so the upload checks made for GdDs' files do not apply."""
        context = rules.site_user_context()
        data = self._dataset_dict(indicator, config)
        files = self._files(indicator)  # read the whole series before writing anything
        if existing is None:
            existing = tk.get_action("package_create")(dict(context), dict(data, resources=[]))
            created = True
        else:
            created = False
        by_format = {r.get("format"): r for r in existing.get("resources", [])}
        formats = {fmt for _, fmt, _, _ in files}
        kept = [r for r in existing.get("resources", []) if r.get("format") not in formats]
        resources = []
        for filename, fmt, content, name in files:
            upload = FileStorage(
                stream=io.BytesIO(content),
                filename=filename,
                content_type="text/csv" if fmt == "CSV" else "application/json",
            )
            resource = {"name_translated": name, "format": fmt, "upload": upload, "url": filename}
            if fmt in by_format:  # same resource, same id, same URL
                resource = dict(by_format[fmt], **resource)
            resources.append(resource)
        dataset = tk.get_action("package_update")(
            dict(context), dict(data, id=existing["id"], resources=kept + resources))
        if created:  # the preview and other default views, as resource_create makes them
            tk.get_action("package_create_default_resource_views")(dict(context), {"package": dataset})
        return dataset
