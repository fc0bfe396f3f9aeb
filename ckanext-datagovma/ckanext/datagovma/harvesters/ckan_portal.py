"""Harvester of another CKAN portal (2.9 or later) through its Action API, shaped first for
today's data.gov.ma: bilingual ``title_translated``/``notes_translated`` or ``title_fr``/
``title_ar``/``notes_ar``, its organizations and groups mapped onto our producers and themes,
licences mapped onto the portal's open licences, resources kept as links.

GUID: the remote dataset id. The local dataset keeps the remote name (suffixed only when another
dataset already holds it), and its id, name and resource ids across runs. A record is imported
again only when its ``metadata_modified`` or its content changed. Records gone from the source
are deleted, unless more than ``deletion_threshold`` would go at once (held for review).
"""

import json
import logging

from ckan import model
from ckan.plugins import toolkit as tk
from ckanext.harvest.model import HarvestGatherError, HarvestObject

from . import rules
from .base import DatagovmaHarvester, RecordRefused

log = logging.getLogger(__name__)

PAGE_SIZE = 100
# Licence ids and titles seen on CKAN portals -> the portal's open licences (schemas/dataset.yaml).
LICENCES = {
    "odc-odbl": "odc-odbl", "odbl": "odc-odbl", "odbl-1.0": "odc-odbl",
    "cc-by": "cc-by", "cc-by-4.0": "cc-by", "cc-by-3.0": "cc-by",
    "cc-by-sa": "cc-by-sa", "cc-by-sa-4.0": "cc-by-sa",
    "cc-zero": "cc-zero", "cc0-1.0": "cc-zero", "cc0": "cc-zero",
    "odc-by": "odc-by", "odc-pddl": "odc-pddl",
    "lo-2.0": "lo-2.0", "etalab-2.0": "lo-2.0", "fr-lo": "lo-2.0",
}
FREQUENCIES = {
    "daily": "daily", "quotidienne": "daily", "weekly": "weekly", "hebdomadaire": "weekly",
    "monthly": "monthly", "mensuelle": "monthly", "quarterly": "quarterly", "trimestrielle": "quarterly",
    "semiannual": "semiannual", "semestrielle": "semiannual", "annual": "annual", "annuelle": "annual",
    "irregular": "irregular", "irreguliere": "irregular", "never": "never",
}


def _translated(record, key):
    """{"fr": ..., "ar": ...} from ``<key>_translated`` or data.gov.ma's ``<key>_fr``/``<key>_ar``,
    falling back on the plain field as French."""
    values = {}
    translated = record.get(f"{key}_translated")
    if isinstance(translated, dict):
        values.update({lang: text for lang, text in translated.items() if lang in ("fr", "ar", "zgh") and text})
    for lang in ("fr", "ar"):
        if record.get(f"{key}_{lang}") and lang not in values:
            values[lang] = record[f"{key}_{lang}"]
    if not values and record.get(key):
        values["fr"] = record[key]
    return values


def _extras(record):
    return {e.get("key"): e.get("value") for e in record.get("extras") or [] if isinstance(e, dict)}


class CKANPortalHarvester(DatagovmaHarvester):
    """Datasets of a CKAN portal (``{source}/api/3/action/package_search``, paged). Source
    configuration, optional JSON: {"deletion_threshold": 0.2, "default_theme": "societe",
    "default_producer": "<organization name>"}."""

    def info(self):
        return {
            "name": "datagovma_ckan",
            "title": "Portail CKAN (data.gov.ma, CKAN 2.9+)",
            "description": "Jeux de données d'un autre portail CKAN, producteurs et thèmes rapprochés des nôtres",
        }

    def _get_json(self, url, params=None):
        body = self.fetch_json(url, params)
        if not isinstance(body, dict) or not body.get("success"):
            raise ValueError(f"the API did not answer success: {str(body)[:200]}")
        return body["result"]

    # --- gather ------------------------------------------------------------------------------

    def gather_stage(self, harvest_job):
        """Pages through the remote catalogue; one harvest object per dataset (GUID = remote id),
        then deletions for the datasets that left it. A page that cannot be read stops the job
        with a gather error and nothing is deleted.

        :param harvest_job: the job being run
        :returns: the ids of the harvest objects to import, or None on a gather error
        """
        base = harvest_job.source.url.rstrip("/") + "/api/3/action/package_search"
        records = self.read_catalogue(harvest_job, base, self._pages(base))
        if records is None:
            return None
        ids, guids = [], []
        for record in records:
            if not isinstance(record, dict) or not record.get("id") or not record.get("name"):
                label = record.get("title") if isinstance(record, dict) else record
                HarvestGatherError(message=f"a record without id or name was skipped: {str(label)[:200]}",
                                   job=harvest_job).save()
                continue
            if record.get("type") == "harvest" or record["id"] in guids:
                continue
            guids.append(record["id"])
            obj = HarvestObject(guid=record["id"], job=harvest_job, content=json.dumps(record, ensure_ascii=False))
            obj.save()
            ids.append(obj.id)
        return ids + self.plan_deletions(harvest_job, guids)

    def _pages(self, base):
        """The remote catalogue, page after page (PAGE_SIZE datasets each, by id)."""
        start, count = 0, None
        while count is None or start < count:
            page = self._get_json(base, {"q": "*:*", "rows": PAGE_SIZE, "start": start, "sort": "id asc"})
            count = int(page["count"])
            results = page.get("results") or []
            if not results:
                break
            yield results
            start += len(results)

    def fetch_stage(self, harvest_object):
        """Nothing to fetch: the search pages carry whole datasets."""
        return True

    # --- import ------------------------------------------------------------------------------

    def fingerprint(self, record):
        """A hash of the record, less what changes without its content (its modification date...)."""
        ignored = ("metadata_modified", "num_resources", "num_tags", "tracking_summary", "relationships_as_object",
                   "relationships_as_subject")
        # ensure_ascii=False: as the hashes of earlier runs were stored
        return {"content_hash": rules.content_hash({k: v for k, v in record.items() if k not in ignored},
                                                   ensure_ascii=False)}

    def remembered(self, record):
        return {"remote_modified": record.get("metadata_modified")}

    def write_dataset(self, record, existing, harvest_object):
        """The remote record as a dataset of the portal, resources kept as links."""
        data = self._dataset_dict(record, harvest_object, existing)
        context = rules.site_user_context()
        if existing is None:
            return tk.get_action("package_create")(context, data)
        return tk.get_action("package_update")(context, dict(data, id=existing["id"]))

    def _free_name(self, name, existing):
        if existing is not None:
            return existing["name"]
        if model.Package.get(name) is None:
            return name
        return self._gen_new_name(name)

    def _dataset_dict(self, record, harvest_object, existing):
        config = rules.source_config(harvest_object.source)
        title = _translated(record, "title")
        notes = _translated(record, "notes")
        if not title:
            raise RecordRefused("the record has no title")
        if not notes:
            notes = {lang: f"{text} — jeu de données repris de {harvest_object.source.url}" for lang, text in
                     title.items() if lang == "fr"} or {"ar": title.get("ar")}
        licence = LICENCES.get((record.get("license_id") or "").lower())
        if licence is None:
            raise RecordRefused(
                f"the licence {record.get('license_id') or '(none)'!r} is not one of the portal's open licences "
                f"({', '.join(sorted(set(LICENCES.values())))}): the dataset was not imported"
            )
        organization = record.get("organization") or {}
        if organization.get("name"):
            owner = rules.producer_for(organization["name"], {
                "fr": organization.get("title_fr") or organization.get("title"),
                "ar": organization.get("title_ar"),
            }, harvest_object)
        elif config.get("default_producer"):
            owner = config["default_producer"]
        else:
            raise RecordRefused("the record has no organization and the source has no default_producer")
        themes, groups = [], []  # groups: the source's groups that are none of our themes
        for group in record.get("groups") or []:
            titles = {"fr": group.get("title_fr") or group.get("title") or group.get("display_name"),
                      "ar": group.get("title_ar")}
            slug = rules.known_theme(group.get("name") or "", titles)
            if slug:
                themes.append(slug)
            else:
                groups.append(rules.group_for(group.get("name") or "", titles, harvest_object))
        extras = _extras(record)
        frequency = FREQUENCIES.get(rules.fold(record.get("frequency") or extras.get("frequency")
                                               or extras.get("frequence") or ""), "unknown")
        resources = self._resources(record, existing)
        return self.publish({
            "name": self._free_name(record["name"], existing),
            "title_translated": title,
            "notes_translated": notes,
            "owner_org": owner,
            "themes": sorted(set(themes)) or [config["default_theme"]],
            "spatial_coverage": "national",
            "frequency": frequency,
            "license_id": licence,
            "data_languages": sorted(lang for lang in ("fr", "ar") if lang in title or lang in notes),
            "classification": "non-classifie",  # published on a public portal already
            "personal_data": "aucune",
            "tag_string": ",".join(t["name"] for t in record.get("tags") or [] if t.get("name")),
            "url": record.get("url") or "",
            "resources": resources,
        }, other_groups=groups)

    @staticmethod
    def _resources(record, existing):
        known = {r.get("url"): r["id"] for r in (existing or {}).get("resources", [])}
        resources = []
        for resource in record.get("resources") or []:
            url = resource.get("url")
            if not url:
                continue
            name = _translated(resource, "name") or {"fr": url.rsplit("/", 1)[-1]}
            item = {"url": url, "name_translated": name, "format": resource.get("format") or ""}
            description = _translated(resource, "description")
            if description:
                item["description_translated"] = description
            if url in known:
                item["id"] = known[url]
            resources.append(item)
        return resources
