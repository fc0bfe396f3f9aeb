"""The skeleton every harvester of the portal shares: the import stage (deletion, unchanged record,
dataset edited in the portal, write, remember what was written), deletions held above the source's
threshold, a harvested dataset published into its themes' groups, and the HOURLY frequency offered
while a harvester is loaded. Each harvester adds what its source needs: gather, fetch, and turning a
record into a dataset."""

import json

import ckan.plugins as p
import requests
from ckan.plugins import toolkit as tk
from ckanext.harvest.harvesters.base import HarvesterBase

from .. import fetcher
from . import rules, schedule


class RecordRefused(ValueError):
    """A record the portal does not take (no title, a closed licence, content that is not JSON...):
    the message says why, and becomes the record's import error."""


class DatagovmaHarvesterMixin:
    """The portal's harvester skeleton, as a mixin: the HCP and CKAN harvesters get it through
    :class:`DatagovmaHarvester` (on ckanext-harvest's ``HarvesterBase``), the DCAT harvester by
    putting it before ckanext-dcat's ``DCATRDFHarvester``, whose gather stage and RDF parsing it
    keeps (a single base class cannot be both).

    A harvester says how to read its records and write its datasets by overriding
    :meth:`read_record`, :meth:`existing_dataset`, :meth:`fingerprint`, :meth:`remembered` and
    :meth:`write_dataset`; :meth:`import_stage` runs them in the same order for all.
    """

    #: the import error of a record whose content cannot be parsed
    not_json = "the record is not JSON"
    #: what a record is called in "the <noun> cannot be read"
    record_noun = "record"

    # IConfigurable

    def configure(self, config):
        """Offers HOURLY among ckanext-harvest's frequencies (its validator and source form read
        one list, with no extension point) in every process that loads a harvester of the portal.

        :param config: CKAN's configuration (not read)
        """
        schedule.register_hourly()

    # IHarvester

    def validate_config(self, config):
        """Checks the keys every harvester of the portal shares (:func:`rules.check_config`).

        :param config: the source's configuration, JSON text (may be empty)
        :returns: ``config`` unchanged
        :raises ValueError: with a sentence saying what to fix
        """
        rules.check_config(config)
        return config

    def import_stage(self, harvest_object):
        """Creates or updates the dataset of one record (or deletes it); records unchanged since the
        last import, and datasets edited in the portal under the ``keep`` policy, are left alone.

        :param harvest_object: the record, as the gather (and fetch) stages left it
        :returns: True, "unchanged", or False with the error recorded on the object
        """
        if rules.extra(harvest_object, "status") == "delete":
            return self.delete_dataset(harvest_object)
        try:
            record = self.read_record(harvest_object)
        except RecordRefused as exc:
            self._save_object_error(str(exc), harvest_object, "Import")
            return False
        previous = rules.previous_object(harvest_object)
        existing = self.existing_dataset(previous, record)
        marks = self.fingerprint(record)
        if existing is not None and previous is not None and (
            self._unchanged(harvest_object, previous, marks)
            or rules.keep_local_edit(existing, previous, harvest_object)
        ):
            harvest_object.package_id = existing["id"]
            return "unchanged"
        label = record.get("name") or harvest_object.guid
        try:
            dataset = self.write_dataset(record, existing, harvest_object)
        except tk.ValidationError as exc:
            self._save_object_error(f"{label}: {exc.error_dict}", harvest_object, "Import")
            return False
        except RecordRefused as exc:
            self._save_object_error(f"{label}: {exc}", harvest_object, "Import")
            return False
        except (TypeError, AttributeError, KeyError, ValueError) as exc:  # a record not shaped as expected
            self._save_object_error(f"{label}: the {self.record_noun} cannot be read ({exc!r})", harvest_object,
                                    "Import")
            return False
        if not isinstance(dataset, dict):  # the write recorded its own outcome
            return dataset
        rules.record_written(harvest_object, previous, dataset, **marks, **self.remembered(record))
        return True

    @staticmethod
    def _unchanged(harvest_object, previous, marks):
        if getattr(harvest_object, "force_import", False):
            return False
        return all(rules.extra(previous, key) == value for key, value in marks.items())

    # --- what a harvester may override ------------------------------------------------------

    def delete_dataset(self, harvest_object):
        """Imports a deletion planned by :meth:`plan_deletions`: the dataset goes.

        :returns: True
        """
        return rules.delete_dataset(harvest_object)

    def read_record(self, harvest_object):
        """The record the earlier stages stored on the object (JSON).

        :returns: a dict; its ``name``, if any, names the record in errors
        :raises RecordRefused: the content cannot be read
        """
        try:
            return json.loads(harvest_object.content)
        except (TypeError, ValueError):
            raise RecordRefused(self.not_json) from None

    def existing_dataset(self, previous, record):
        """The dataset a record updates: by default the one the last import wrote, if still active.

        :param previous: the record's current harvest object (its last import), or None
        :returns: the dataset dict, or None for a new one
        """
        return self.active_dataset(previous.package_id if previous is not None else None)

    def fingerprint(self, record):
        """What says a record changed since its last import, remembered on its harvest object.

        :returns: {extra name: text}; the record is unchanged when all match the last import's
        """
        raise NotImplementedError

    def remembered(self, record):
        """Extras to remember on the harvest object besides the fingerprint (not compared).

        :returns: {extra name: value}
        """
        return {}

    def write_dataset(self, record, existing, harvest_object):
        """Creates (``existing`` None) or updates the record's dataset.

        :returns: the written dataset dict, or the stage's result (True, False, "unchanged") when the
            write recorded its outcome itself
        :raises RecordRefused: the record breaks a rule of the portal (the message says which)
        :raises tk.ValidationError: the national schema refused the dataset
        """
        raise NotImplementedError

    # --- shared by the stages ---------------------------------------------------------------

    @staticmethod
    def active_dataset(ref):
        """The active dataset of this id or name, or None (none, or deleted)."""
        if not ref:
            return None
        try:
            dataset = tk.get_action("package_show")(rules.site_user_context(), {"id": ref})
        except tk.ObjectNotFound:
            return None
        return dataset if dataset.get("state") == "active" else None

    @staticmethod
    def plan_deletions(harvest_job, guids_in_source):
        """Deletion objects for the records gone from the source, held for review above the
        source's ``deletion_threshold`` (:func:`rules.plan_deletions`).

        :returns: the ids of the deletion objects to import
        """
        threshold = rules.source_config(harvest_job.source)["deletion_threshold"]
        return rules.plan_deletions(harvest_job, guids_in_source, threshold)

    @staticmethod
    def publish(dataset, other_groups=()):
        """A harvested dataset is published at once (its source already publishes it), and, as the
        review does, joins the CKAN groups of its themes, so that theme pages list it.

        :param dataset: a dataset dict with its ``themes``; changed in place
        :param other_groups: names of further groups (a source's groups that are none of our themes)
        :returns: ``dataset``
        """
        dataset["publication_status"] = "published"
        dataset["groups"] = [{"name": name} for name in dict.fromkeys([*dataset["themes"], *other_groups])]
        return dataset


class DatagovmaHarvester(DatagovmaHarvesterMixin, HarvesterBase):
    """Base of the harvesters built on ckanext-harvest's ``HarvesterBase`` alone (HCP, CKAN)."""

    p.implements(p.IConfigurable)

    def fetch_json(self, url, params=None):
        """The JSON answer of ``url``, read through the portal's fetcher.

        :raises fetcher.URLRefused: the address breaks a rule of the fetcher
        :raises requests.RequestException: it could not be read, or answered an HTTP error
        :raises ValueError: the answer is not JSON
        """
        response = fetcher.get(url, params=params)
        response.raise_for_status()
        return response.json()

    def read_catalogue(self, harvest_job, url, pages):
        """The source's records, page after page, or None when a page cannot be read (an address
        the fetcher refuses, an HTTP error, an answer not shaped as expected): the job then gets a
        gather error saying where it stopped, and nothing is deleted.

        :param url: the catalogue's address, for the error
        :param pages: an iterable of lists of records, reading the catalogue as it goes
        :returns: the list of records
        """
        records = []
        try:
            for page in pages:
                records.extend(page)
        except fetcher.URLRefused as exc:
            self._save_gather_error(str(exc), harvest_job)
            return None
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            where = f" (from {len(records)})" if records else ""
            self._save_gather_error(f"the catalogue at {url} could not be read{where}: {exc}", harvest_job)
            return None
        return records
