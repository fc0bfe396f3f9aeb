"""What every harvester of the portal does the same way: which source records to delete (and when
to hold deletions for review), what to do with a harvested dataset edited by hand, and how a
source's producers and themes map onto ours (unknown ones are created, then reported)."""

import hashlib
import json
import logging
import re
import unicodedata

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectError, HarvestObjectExtra

from .. import reference

log = logging.getLogger(__name__)

# The extra, on the current harvest object, holding the dataset's metadata_modified right after
# the harvester wrote it: a later difference means someone edited the dataset in the portal.
MODIFIED_EXTRA = "dataset_modified"


def fold(text):
    """'Ministère de l'Économie' -> 'ministere de l economie' (for matching names across portals)."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def site_user_context():
    """The context of the site user, in which harvesters and their scheduler write."""
    return {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}


def content_hash(values, ensure_ascii=True):
    """A record's fingerprint: the SHA-256 of ``values`` as sorted JSON (``ensure_ascii`` as each
    harvester first stored it, so that its stored hashes still match)."""
    text = json.dumps(values, sort_keys=True, ensure_ascii=ensure_ascii)
    return hashlib.sha256(text.encode()).hexdigest()


def extra(harvest_object, key):
    return next((e.value for e in harvest_object.extras if e.key == key), None)


def current_objects(source_id):
    """{guid: current HarvestObject} of a source."""
    query = model.Session.query(HarvestObject).filter(
        HarvestObject.current.is_(True), HarvestObject.harvest_source_id == source_id
    )
    return {obj.guid: obj for obj in query}


def previous_object(harvest_object):
    """The current object of the same GUID and source (the last import), or None."""
    return (
        model.Session.query(HarvestObject)
        .filter(
            HarvestObject.guid == harvest_object.guid,
            HarvestObject.current.is_(True),
            HarvestObject.harvest_source_id == harvest_object.source.id,
        )
        .first()
    )


# --- deletions ---------------------------------------------------------------------------------


# What a source's JSON configuration may say, and what it means when it says nothing.
CONFIG_DEFAULTS = {"deletion_threshold": 0.2, "default_theme": "societe"}


def check_config(config):
    """Parses a source's configuration and checks the keys every harvester shares.

    :param config: the JSON text an administrator typed (may be empty)
    :returns: the parsed dict
    :raises ValueError: with a sentence saying what to fix (the source form shows it)
    """
    if not config:
        return {}
    try:
        values = json.loads(config)
    except ValueError as exc:
        raise ValueError(f"the configuration must be JSON: {exc}") from None
    if not isinstance(values, dict):
        raise ValueError('the configuration must be a JSON object, such as {"deletion_threshold": 0.2}')
    threshold = values.get("deletion_threshold", CONFIG_DEFAULTS["deletion_threshold"])
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 <= threshold <= 1:
        raise ValueError("deletion_threshold must be a share between 0 and 1")
    if values.get("default_theme") and not known_theme(values["default_theme"], {}):
        raise ValueError(f"default_theme {values['default_theme']!r} is not one of the national themes")
    return values


def source_config(source, **defaults):
    """A source's configuration with the shared defaults, then the harvester's own."""
    return {**CONFIG_DEFAULTS, **defaults, **check_config(source.config)}


def plan_deletions(harvest_job, guids_in_source, threshold):
    """Harvest objects (status "delete") for the datasets whose record left the source.

    When more than ``threshold`` of the source's datasets would go at once (a source that
    suddenly answers an empty or much smaller catalogue), nothing is deleted: the job gets a
    gather error saying so, for an administrator to review.

    :returns: the ids of the deletion objects to import
    """
    current = {
        guid: package_id
        for guid, package_id in model.Session.query(HarvestObject.guid, HarvestObject.package_id).filter(
            HarvestObject.current.is_(True), HarvestObject.harvest_source_id == harvest_job.source.id
        )
    }
    gone = [guid for guid in current if guid not in set(guids_in_source)]
    if not gone:
        return []
    if len(gone) / len(current) > threshold:
        HarvestGatherError(
            message=f"{len(gone)} of {len(current)} datasets are no longer in the source "
            f"(more than {threshold:.0%}): deletions held for review, nothing deleted",
            job=harvest_job,
        ).save()
        return []
    ids = []
    for guid in gone:
        obj = HarvestObject(
            guid=guid,
            job=harvest_job,
            package_id=current[guid],
            extras=[HarvestObjectExtra(key="status", value="delete")],
        )
        obj.save()
        ids.append(obj.id)
    return ids


def delete_dataset(harvest_object):
    """Imports a deletion object: deletes the dataset, and the record stops being current."""
    previous = previous_object(harvest_object)
    package_id = harvest_object.package_id or (previous.package_id if previous else None)
    if package_id:
        try:
            tk.get_action("package_delete")(site_user_context(), {"id": package_id})
        except tk.ObjectNotFound:
            pass
    if previous is not None:
        previous.current = False
        previous.save()
    return True


# --- datasets edited in the portal -------------------------------------------------------------


def local_edits_policy():
    policy = tk.config.get("ckanext.datagovma.harvest.local_edits") or "keep"
    if policy not in ("keep", "overwrite"):
        raise ValueError(f"ckanext.datagovma.harvest.local_edits must be keep or overwrite, not {policy!r}")
    return policy


def edited_locally(existing, previous):
    """True when the dataset changed in the portal after the harvester last wrote it."""
    if existing is None or previous is None:
        return False
    written = extra(previous, MODIFIED_EXTRA)
    return bool(written) and existing.get("metadata_modified") != written


def keep_local_edit(existing, previous, harvest_object):
    """Applies the local-edits policy before a harvester overwrites ``existing``.

    ``keep`` (the default): the source's change is not applied, and the record gets an error
    naming the dataset, so the job report shows what waits for a decision. ``overwrite``: the
    source wins. Either way nothing is lost silently.

    :returns: True when the harvester must leave the dataset as it is
    """
    if not edited_locally(existing, previous):
        return False
    if local_edits_policy() == "overwrite":
        log.info("%s was edited in the portal; overwritten by the source (policy overwrite)", existing["name"])
        return False
    HarvestObjectError(
        message=f"{existing['name']} was edited in the portal on {existing['metadata_modified']} after the last "
        "harvest: the source's changes were not applied (ckanext.datagovma.harvest.local_edits = keep). "
        "Set the policy to overwrite, or delete the local edit, to take them.",
        object=harvest_object,
        stage="Import",
    ).save()
    return True


def record_written(harvest_object, previous, dataset, **extras):
    """Makes ``harvest_object`` the current record of its dataset, remembering when it was written."""
    if previous is not None and previous.id != harvest_object.id:
        previous.current = False
        previous.save()
    harvest_object.package_id = dataset["id"]
    harvest_object.current = True
    for key, value in dict(extras, **{MODIFIED_EXTRA: dataset["metadata_modified"]}).items():
        harvest_object.extras.append(HarvestObjectExtra(key=key, value=str(value)))
    harvest_object.save()


# --- producers and themes ----------------------------------------------------------------------


def _aliases(slug, row):
    names = [slug, row.get("name_fr"), row.get("name_ar"), row.get("acronym")]
    return _names(names)


def _names(names):
    """The forms a name is matched by: as written and folded (empty forms dropped: an Arabic
    name folds to nothing)."""
    return {form for n in names if n for form in (n.strip(), fold(n)) if form}


def producer_for(name, titles, harvest_object):
    """Our producer (organization name) for a source's organization: a known producer by name,
    acronym or title (French or Arabic); otherwise one is created from the source's titles and the
    record gets a notice so an administrator can merge or rename it.

    :param name: the organization's name at the source
    :param titles: {"fr": ..., "ar": ...} (any may be missing)
    """
    candidates = _names([name, *titles.values()])
    for slug, row in reference.producers().items():
        if candidates & _aliases(slug, row):
            if model.Group.get(slug) is None:  # a national producer not loaded yet
                tk.get_action("organization_create")(site_user_context(), {
                    "name": slug, "title_translated": {"fr": row["name_fr"], "ar": row["name_ar"]},
                    "acronym": row.get("acronym") or ""})
            return slug
    for organization in model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active"
    ):
        if _names([organization.name, organization.title]) & candidates:
            return organization.name
    slug = re.sub(r"[^a-z0-9-]+", "-", fold(name or titles.get("fr") or "producteur")).strip("-")[:100] or "producteur"
    title = {lang: text for lang, text in titles.items() if text} or {"fr": name}
    tk.get_action("organization_create")(site_user_context(), {"name": slug, "title_translated": title})
    notice(harvest_object, f"new producer created: {slug} ({title.get('fr') or title.get('ar')}); check it")
    return slug


def known_theme(name, titles):
    """Our theme (one of the national list) for a source's group or theme, or None."""
    candidates = _names([name, *titles.values()])
    for slug, row in reference.themes().items():
        if candidates & _aliases(slug, row):
            return slug
    return None


def group_for(name, titles, harvest_object):
    """A CKAN group for a source's group that is none of our themes: the existing one of that name,
    or one created from the source's titles and reported (the national theme list stays closed)."""
    slug = re.sub(r"[^a-z0-9-]+", "-", fold(name or titles.get("fr") or "groupe")).strip("-")[:100] or "groupe"
    existing = model.Group.get(slug)
    if existing is not None and not existing.is_organization and existing.state == "active":
        return existing.name
    title = {lang: text for lang, text in titles.items() if text} or {"fr": name}
    tk.get_action("group_create")(site_user_context(), {"name": slug, "title_translated": title})
    notice(harvest_object, f"new group created: {slug} ({title.get('fr') or title.get('ar')}), "
                           "not one of the national themes; check it")
    return slug


def notice(harvest_object, message):
    """A message on the record that is not a failure (the record is still imported)."""
    HarvestObjectError(message=f"Notice: {message}", object=harvest_object, stage="Import").save()
