"""Harvester of DCAT catalogues (RDF/XML, Turtle, JSON-LD; paged with Hydra) through the portal's
DCAT profile: ckanext-dcat's RDF harvester, with the portal's rules added.

GUID: the dataset's URI (else its ``dct:identifier``), as ckanext-dcat decides. On top of it:
every page, the first and those the catalogue links to, and every remote JSON-LD context a page
names (which rdflib would otherwise fetch itself, unchecked) is read through the portal's fetcher
(``ckanext.datagovma.fetcher``: http/https, no local or private address unless allowed, each
redirect checked; never a file of this machine); a record whose graph did not change is not imported
again; a dataset edited in the portal follows the local-edits policy; deletions above
``deletion_threshold`` are held for review; fields the national schema requires and a foreign
catalogue does not give get the source's defaults; publishers map onto our producers.
"""

import json
import logging
from urllib.parse import urljoin

import ckan.plugins as p
import requests
from ckan import model
from ckan.plugins import toolkit as tk
from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.harvest.model import HarvestObject

from .. import fetcher
from ..fetcher import URLRefused
from . import rules
from .base import DatagovmaHarvesterMixin, RecordRefused

log = logging.getLogger(__name__)


# A JSON-LD page may name contexts by address, and contexts may name others: at most this many
# are fetched for one page, nested at most this deep.
MAX_CONTEXTS = 10
MAX_CONTEXT_DEPTH = 5
MAX_CONTEXT_BYTES = 1024 * 1024


def _extras(dataset):
    return {e.get("key"): e.get("value") for e in dataset.get("extras") or []}


def inline_contexts(content, url):
    """The page ``content`` with each JSON-LD context it names by address (``"@context": "<url>"``,
    in a list, scoped in a term, or ``"@import"``) replaced by that context, fetched through the
    fetcher; content that is not JSON is returned as it is.

    rdflib loads such contexts itself with urllib, with no check of the address (a catalogue could
    make the worker call this machine, the cloud metadata service, or read a local file): once
    inlined, nothing is left for it to load.

    :raises URLRefused: a context's address breaks a rule of the fetcher
    :raises requests.RequestException: a context could not be read
    :raises ValueError: a context is not JSON-LD, or there are too many
    """
    if not content.lstrip().startswith(("{", "[")):
        return content
    try:
        document = json.loads(content)
    except ValueError:
        return content  # rdflib reports it
    fetched = {}
    return json.dumps(_walk(document, url, fetched), ensure_ascii=False)


def _walk(node, base, fetched):
    if isinstance(node, list):
        return [_walk(item, base, fetched) for item in node]
    if isinstance(node, dict):
        return {key: _context(value, base, fetched, 0) if key == "@context" else _walk(value, base, fetched)
                for key, value in node.items()}
    return node


def _context(value, base, fetched, depth):
    """A context value with no address left in it (JSON-LD 1.1, 4.1 context processing)."""
    if depth > MAX_CONTEXT_DEPTH:
        raise ValueError(f"JSON-LD contexts nested more than {MAX_CONTEXT_DEPTH} deep")
    if isinstance(value, str):
        address = urljoin(base, value)
        if address not in fetched:
            if len(fetched) >= MAX_CONTEXTS:
                raise ValueError(f"the page names more than {MAX_CONTEXTS} remote JSON-LD contexts")
            response = fetcher.get(address, headers={"Accept": "application/ld+json, application/json"},
                                   max_bytes=MAX_CONTEXT_BYTES)
            response.raise_for_status()
            document = response.json()
            if not isinstance(document, dict) or "@context" not in document:
                raise ValueError(f"the JSON-LD context {address} holds no @context")
            fetched[address] = (document["@context"], response.url)
        context, where = fetched[address]
        return _context(context, where, fetched, depth + 1)
    if isinstance(value, list):
        items = []
        for item in value:
            resolved = _context(item, base, fetched, depth)
            items.extend(resolved if isinstance(resolved, list) else [resolved])
        return items
    if isinstance(value, dict):
        value = dict(value)
        if isinstance(value.get("@import"), str):
            imported = _context(value.pop("@import"), base, fetched, depth + 1)
            if not isinstance(imported, dict):
                raise ValueError("a JSON-LD @import is not a context object")
            value = {**imported, **value}
        return {key: dict(term, **{"@context": _context(term["@context"], base, fetched, depth + 1)})
                if isinstance(term, dict) and "@context" in term else term
                for key, term in value.items()}
    return value


class DCATCatalogHarvester(DatagovmaHarvesterMixin, DCATRDFHarvester):
    """A DCAT catalogue (one address; further pages by ``hydra:nextPage``): ckanext-dcat's gather
    stage and RDF parsing, the portal's import stage (the mixin comes first, so its
    ``import_stage`` runs, and calls ckanext-dcat's to write)."""

    p.implements(IDCATRDFHarvester, inherit=True)
    p.implements(p.IConfigurable)

    def info(self):
        return {
            "name": "datagovma_dcat",
            "title": "Catalogue DCAT (RDF, Turtle, JSON-LD)",
            "description": "Jeux de données d'un catalogue DCAT-AP, lus par le profil DCAT du portail",
        }

    def validate_config(self, source_config):
        """Optional JSON: ckanext-dcat's ``rdf_format``, and {"deletion_threshold": 0.2,
        "default_theme": "societe", "default_producer": "<organization name>", "default_licence": "odc-odbl"}."""
        rules.check_config(source_config)
        return DCATRDFHarvester.validate_config(self, source_config)

    # IDCATRDFHarvester

    def update_session(self, session):
        """Any request ckanext-dcat makes with its own session goes through the fetcher's rules
        (each address and redirect checked, the connection pinned to the checked address)."""
        return fetcher.mount(session)

    # --- gather ------------------------------------------------------------------------------

    def _get_content_and_type(self, url, harvest_job, page=1, content_type=None):
        """A catalogue page, the first or one the catalogue links to, read through the fetcher
        (ckanext-dcat's own reading would also open a path on this machine), with the remote
        JSON-LD contexts it names inlined.

        :returns: (content, content type), or (None, None) with a gather error recorded
        """
        if page > 1:
            url = url + ("&" if "?" in url else "?") + f"page={page}"
        try:
            response = fetcher.get(url)
            response.raise_for_status()
            content = inline_contexts(response.content.decode("utf-8"), response.url)
        except URLRefused as exc:
            self._save_gather_error(str(exc), harvest_job)
            return None, None
        except requests.HTTPError as exc:
            self._save_gather_error(f"the catalogue page {url} answered {exc.response.status_code} "
                                    f"{exc.response.reason}", harvest_job)
            return None, None
        except (requests.RequestException, ValueError) as exc:  # ValueError: not UTF-8, a bad context
            self._save_gather_error(f"the catalogue page {url} could not be read: {exc}", harvest_job)
            return None, None
        if content_type is None and response.headers.get("Content-Type"):
            content_type = response.headers["Content-Type"].split(";", 1)[0].strip()
        return content, content_type

    def _mark_datasets_for_deletion(self, guids_in_source, harvest_job):
        """ckanext-dcat's gather asks here which datasets to delete: the portal's deletion guard."""
        return self.plan_deletions(harvest_job, guids_in_source)

    def _get_existing_dataset(self, guid):
        """The dataset of this GUID: by its ``guid`` extra (ckanext-dcat's way), else the last
        dataset a record of this GUID wrote (an import interrupted before it finished)."""
        found = super()._get_existing_dataset(guid)
        if found is not None:
            return found
        package_id = (
            model.Session.query(HarvestObject.package_id)
            .join(model.Package, model.Package.id == HarvestObject.package_id)
            .filter(HarvestObject.guid == guid, model.Package.state == "active")
            .order_by(HarvestObject.gathered.desc())
            .limit(1)
            .scalar()
        )
        return tk.get_action("package_show")(rules.site_user_context(), {"id": package_id}) if package_id else None

    # --- import ------------------------------------------------------------------------------

    def delete_dataset(self, harvest_object):
        """ckanext-dcat's deletion (the dataset goes, the record stops being current)."""
        return DCATRDFHarvester.import_stage(self, harvest_object)

    def read_record(self, harvest_object):
        """The dataset dict ckanext-dcat's gather made from the graph (its own import reports one
        that cannot be read)."""
        try:
            return json.loads(harvest_object.content or "{}")
        except ValueError:
            return {}

    def fingerprint(self, record):
        # The name is made up at gather time (suffixed when taken, as it is on a re-run): not content.
        return {"content_hash": rules.content_hash({k: v for k, v in record.items() if k != "name"})}

    def write_dataset(self, record, existing, harvest_object):
        """ckanext-dcat's import (the portal's profile, then :meth:`modify_package_dict`).

        :returns: the written dataset, or ckanext-dcat's result when it wrote nothing
        """
        if not record.get("license_id") and not rules.source_config(harvest_object.source).get("default_licence"):
            raise RecordRefused("the catalogue states no licence for this dataset, and the source has no "
                                "default_licence: not imported")
        result = DCATRDFHarvester.import_stage(self, harvest_object)
        if result is not True or not harvest_object.package_id:
            return result
        return tk.get_action("package_show")(rules.site_user_context(), {"id": harvest_object.package_id})

    def modify_package_dict(self, package_dict, dcat_dict, harvest_object):
        """Fills what the national schema requires and a foreign catalogue may not say."""
        config = rules.source_config(harvest_object.source)
        extras = _extras(package_dict)
        for key in ("title", "notes"):
            if not package_dict.get(f"{key}_translated") and package_dict.get(key):
                package_dict[f"{key}_translated"] = {"fr": package_dict[key]}
        if not package_dict.get("notes_translated") and package_dict.get("title_translated"):
            package_dict["notes_translated"] = {
                lang: f"{text} — jeu de données repris de {harvest_object.source.url}"
                for lang, text in package_dict["title_translated"].items()
            }
        owner = package_dict.get("owner_org")
        if not owner or model.Group.get(owner) is None:
            publisher_uri = extras.get("publisher_uri") or ""
            publisher_name = extras.get("publisher_name") or ""
            name = owner or publisher_uri.rstrip("/").rsplit("/", 1)[-1] or publisher_name
            if name or publisher_name:
                owner = rules.producer_for(name, {"fr": publisher_name}, harvest_object)
            else:
                owner = config.get("default_producer") or harvest_object.source.owner_org
        package_dict["owner_org"] = owner
        themes = [t for t in package_dict.get("themes") or [] if rules.known_theme(t, {})]
        package_dict["themes"] = themes or [config["default_theme"]]
        if not package_dict.get("license_id"):
            package_dict["license_id"] = config["default_licence"]  # write_dataset checked there is one
        package_dict.setdefault("spatial_coverage", "national")
        package_dict.setdefault("frequency", "unknown")
        package_dict.setdefault("classification", "non-classifie")  # published in a public catalogue
        package_dict.setdefault("personal_data", "aucune")
        package_dict["private"] = False
        return self.publish(package_dict)
