"""Actions of the publication review: a GdD submits, the producer's ROD publishes, returns or
withdraws. The one door to publication: the dataset actions take only datasets, the harvest
actions only harvest sources, and the producer page's bulk actions follow the review's rules.

Each transition goes through package_patch as the acting user, so CKAN's activity stream records
who did it and when; the ``datagovma_workflow`` context flag is what lets the change through the
``publication_status`` validator.

Also chained on core: package_search, package_show, organization_show and group_show check their
parameters' types (a 409 where core answered 500); tag_list, tag_show and member_list leave out
what the caller may not read. (The speed-ups over core's actions are in speedups.py.)"""

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.logic.action import create as core_create
from ckan.logic.action import get as core_get
from ckan.logic.action import update as core_update

from .. import fetcher, publication

__all__ = ["datagovma_dataset_submit", "datagovma_dataset_publish", "datagovma_dataset_return",
           "datagovma_dataset_withdraw", "package_create", "package_update", "harvest_source_create",
           "harvest_source_update", "harvest_source_reindex", "bulk_update_public", "package_search",
           "tag_list", "tag_show", "tag_search", "tag_autocomplete", "format_autocomplete", "member_list",
           "package_show", "organization_show", "group_show"]


def documented_as_core(chained):
    """CKAN wraps a chained action in a functools.partial, whose docstring help_show would serve in
    place of the action's documentation; it copies the function's __dict__ onto the partial, so
    core's docstring placed there is what API users keep reading."""
    core = next(getattr(module, chained.__name__) for module in (core_get, core_create, core_update)
                if hasattr(module, chained.__name__))
    chained.__dict__["__doc__"] = core.__doc__
    return chained


def _current(context, data_dict):
    dataset_id = tk.get_or_bust(data_dict, "id")
    return tk.get_action("package_show")(dict(context), {"id": dataset_id})


def _transition(context, dataset, status, comment=None):
    ctx = dict(context, datagovma_workflow=True)
    patch = {"id": dataset["id"], "publication_status": status}
    if comment is not None:
        patch["review_comment"] = comment
    if status == "published":
        # A published dataset joins the CKAN groups of its themes, so that theme pages list it.
        # Only group members may add datasets to groups: the review action itself is the
        # authority here (its auth function checked the ROD), hence ignore_auth.
        patch["groups"] = [{"name": slug} for slug in dataset.get("themes") or []]
        ctx["ignore_auth"] = True
    return tk.get_action("package_patch")(ctx, patch)


def _require_status(dataset, allowed, action):
    status = dataset.get("publication_status") or "draft"
    if status not in allowed:
        raise tk.ValidationError({"publication_status": [
            tk._("This dataset cannot be {0}: it is {1}").format(action, tk._(status))]})


def datagovma_dataset_submit(context, data_dict):
    """Submit a draft (or returned) dataset to its producer's ROD for review.

    :param id: the id or name of the dataset
    :type id: string
    :returns: the dataset, now ``in_review``
    :rtype: dictionary
    """
    tk.check_access("datagovma_dataset_submit", context, data_dict)
    dataset = _current(context, data_dict)
    _require_status(dataset, ("draft", "returned", "withdrawn"), tk._("submitted"))
    if dataset.get("state") != "active":
        raise tk.ValidationError({"state": [tk._("Finish the dataset (add its data) before submitting it")]})
    return _transition(context, dataset, "in_review")


def datagovma_dataset_publish(context, data_dict):
    """Publish a dataset under review (ROD of its producer, or sysadmin): it becomes public.
    Refused for classified information (loi 05-20) and non-anonymised personal data (loi 09-08).

    :param id: the id or name of the dataset
    :type id: string
    :returns: the dataset, now ``published``
    :rtype: dictionary
    """
    tk.check_access("datagovma_dataset_publish", context, data_dict)
    dataset = _current(context, data_dict)
    _require_status(dataset, ("in_review",), tk._("published"))
    return _transition(context, dataset, "published", comment="")


def datagovma_dataset_return(context, data_dict):
    """Send a dataset under review back to its GdD with a comment they see on the dataset.

    :param id: the id or name of the dataset
    :type id: string
    :param comment: what the GdD must change
    :type comment: string
    :returns: the dataset, now ``returned``
    :rtype: dictionary
    """
    tk.check_access("datagovma_dataset_return", context, data_dict)
    comment = _required_text(data_dict, "comment", tk._("Say what must change before publication"))
    dataset = _current(context, data_dict)
    _require_status(dataset, ("in_review",), tk._("returned"))
    return _transition(context, dataset, "returned", comment=comment)


def datagovma_dataset_withdraw(context, data_dict):
    """Withdraw a published dataset (ROD of its producer, or sysadmin): it leaves every public
    channel at once (search, pages, DCAT, feeds, activity streams); the reason goes to the activity
    stream and its GdD sees it on the dataset. The GdD may correct it and submit it again.

    :param id: the id or name of the dataset
    :type id: string
    :param reason: why it is withdrawn
    :type reason: string
    :returns: the dataset, now ``withdrawn``
    :rtype: dictionary
    """
    tk.check_access("datagovma_dataset_withdraw", context, data_dict)
    reason = _required_text(data_dict, "reason", tk._("Say why the publication is withdrawn"))
    dataset = _current(context, data_dict)
    _require_status(dataset, ("published",), tk._("withdrawn"))
    return _transition(context, dataset, "withdrawn", comment=reason)


def _required_text(data_dict, key, message):
    """The text given as ``key``, stripped, or a ValidationError with ``message`` on it (also
    for a value that is not a text: it was a 500)."""
    value = data_dict.get(key)
    if not isinstance(value, str) or not value.strip():
        raise tk.ValidationError({key: [message]})
    return value.strip()


# --- one door to publication ----------------------------------------------------------------------


def _check_type(context, asked, current=None):
    """Datasets go through the dataset actions, harvest sources through the harvest actions
    (which mark their context); no other type, and no change of type. Another type would skip
    the portal's schema (no review, no classification) and be public at once."""
    allowed = publication.HARVEST_SOURCE_TYPE if context.get("datagovma_harvest_source") else publication.DATASET_TYPE
    if current is not None and asked not in (None, "", current):
        raise tk.ValidationError({"type": [tk._("The type of a dataset or harvest source cannot change")]})
    kind = current if current is not None else (asked or publication.DATASET_TYPE)
    if kind != allowed:
        raise tk.ValidationError({"type": [
            tk._("Harvest sources are created and changed through the harvest actions")
            if kind == publication.HARVEST_SOURCE_TYPE else
            tk._("Only datasets can be created here (type {0!r} is not one)").format(kind)]})


def _check_source_url(data_dict):
    """A source's address is checked when it is saved (and again at each fetch): a 409 on ``url``
    saying which rule it breaks (fetcher.py), not a failure at the first harvest."""
    url = data_dict.get("url")
    if url is None:
        return
    try:
        fetcher.check_url(url if isinstance(url, str) else "")
    except fetcher.URLRefused as refused:
        raise tk.ValidationError({"url": [str(refused)]}) from None


@documented_as_core
@tk.chained_action
def package_create(original, context, data_dict):
    """Core's package_create, for datasets only (a harvest source through harvest_source_create)."""
    _check_type(context, data_dict.get("type"))
    return original(context, data_dict)


@documented_as_core
@tk.chained_action
def package_update(original, context, data_dict):
    """Core's package_update, for datasets only (a harvest source through harvest_source_update);
    the type of what exists never changes."""
    ref = data_dict.get("id") or data_dict.get("name")
    if isinstance(ref, sa.engine.Row):  # core 2.12's bulk actions pass the row of a query as the id
        ref = ref[0]
        data_dict = dict(data_dict, id=ref)
    package = model.Package.get(ref) if isinstance(ref, str) else None
    if package is not None:
        _check_type(context, data_dict.get("type"), package.type)
    return original(context, data_dict)


@tk.chained_action
def harvest_source_create(original, context, data_dict):
    """ckanext-harvest's, with the context mark that lets its harvest source through
    package_create; its own auth function is asked first (ckanext-harvest leaves the check to
    package_create's; ours: logic/auth.py), and its address must be one the portal fetches."""
    tk.check_access("harvest_source_create", context, data_dict)
    _check_source_url(data_dict)
    return original(dict(context, datagovma_harvest_source=True), data_dict)


@tk.chained_action
def harvest_source_update(original, context, data_dict):
    """ckanext-harvest's, with the context mark that lets its harvest source through
    package_update; its own auth function is asked first (ours: logic/auth.py), and its address
    must be one the portal fetches."""
    tk.check_access("harvest_source_update", context, data_dict)
    _check_source_url(data_dict)
    return original(dict(context, datagovma_harvest_source=True), data_dict)


@tk.chained_action
def harvest_source_reindex(original, context, data_dict):
    """ckanext-harvest's, after its auth function, which it never asks."""
    tk.check_access("harvest_source_reindex", context, data_dict)
    return original(context, data_dict)


@documented_as_core
@tk.chained_action
def bulk_update_public(original, context, data_dict):
    """Core's "make public" of the producer page is a publication by the ROD: all of the
    datasets or none. Each must be active and publishable (a refusal names the datasets and
    why); each is then published as the review publishes (joining its themes' groups), where core
    would only clear ``private``. (Core's "make private" stays core's: the
    ``publication_status`` validator turns it into the withdrawal of what was published.)"""
    tk.check_access("bulk_update_public", context, data_dict)
    ids = data_dict.get("datasets") or []
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise tk.ValidationError({"datasets": [tk._("Give a list of dataset ids")]})
    refused = []
    for package in model.Session.query(model.Package).filter(
            model.Package.id.in_(ids), model.Package.owner_org == data_dict.get("org_id")):
        extras = package.extras or {}
        found = publication.refusal(extras.get("classification"), extras.get("personal_data"))
        if found:
            refused.append(f"{package.name}: {found[1]}")
        elif package.state != "active":
            refused.append(f"{package.name}: " + tk._("Finish the dataset (add its data) before submitting it"))
    if refused:
        raise tk.ValidationError({"datasets": refused})
    for dataset_id in ids:
        dataset = _current(dict(context), {"id": dataset_id})
        if dataset.get("owner_org") == data_dict.get("org_id") and dataset.get("publication_status") != "published":
            _transition(dict(context), dataset, "published", comment="")


# --- nothing of a dataset one may not read -------------------------------------------------------


@documented_as_core
@tk.chained_action
@tk.side_effect_free
def tag_list(original, context, data_dict):
    """Core's list, less the keywords found only on datasets the caller may not read."""
    tags = original(context, data_dict)
    return _readable(context, tags, lambda tag: tag["name"] if isinstance(tag, dict) else tag)


@documented_as_core
@tk.chained_action
@tk.side_effect_free
def tag_show(original, context, data_dict):
    """Core's tag, unknown when it is only on datasets the caller may not read; its datasets
    (``include_datasets``) only those the caller may read."""
    tag = original(context, data_dict)
    if not _readable(context, [tag], lambda found: found["name"]):
        raise tk.ObjectNotFound(tk._("Tag not found"))
    if tag.get("packages"):
        allowed = publication.readable_ids(context.get("user"), [p["id"] for p in tag["packages"]])
        tag["packages"] = [p for p in tag["packages"] if p["id"] in allowed]
    return tag


@documented_as_core
@tk.chained_action
@tk.side_effect_free
def tag_search(original, context, data_dict):
    """Core's search of keywords, less those found only on datasets the caller may not read (the
    count: those of this answer left out are taken off core's)."""
    found = original(context, data_dict)
    results = _readable(context, found["results"], lambda tag: tag["name"])
    return dict(found, results=results, count=found["count"] - (len(found["results"]) - len(results)))


@documented_as_core
@tk.chained_action
@tk.side_effect_free
def tag_autocomplete(original, context, data_dict):
    """Core's keyword suggestions, less those found only on datasets the caller may not read."""
    return _readable(context, original(context, data_dict), lambda name: name)


def _readable(context, tags, name_of):
    """``tags`` less those found only on datasets the caller may not read."""
    readable = publication.readable_tags(context.get("user"), [name_of(tag) for tag in tags])
    return tags if readable is None else [tag for tag in tags if name_of(tag) in readable]


@documented_as_core
@tk.chained_action
@tk.side_effect_free
def format_autocomplete(original, context, data_dict):
    """Core's format suggestions, less those found only on resources of datasets the caller may
    not read."""
    found = original(context, data_dict)
    condition = publication.readable_filter(context.get("user"))
    if condition is None or not found:
        return found
    shown = {fmt.lower() for (fmt,) in model.Session.query(model.Resource.format).join(
        model.Package, model.Package.id == model.Resource.package_id).filter(
        model.Resource.state == "active", sa.func.lower(model.Resource.format).in_([f.lower() for f in found]),
        condition).distinct()}
    return [fmt for fmt in found if fmt.lower() in shown]


@documented_as_core
@tk.chained_action
@tk.side_effect_free
def member_list(original, context, data_dict):
    """Core's members of a producer or theme, less the datasets the caller may not read."""
    members = original(context, data_dict)
    allowed = publication.readable_ids(context.get("user"), [m[0] for m in members if m[1] == "package"])
    return [m for m in members if m[1] != "package" or m[0] in allowed]


# --- bad input --------------------------------------------------------------------------------

# package_search's parameters that take one value, and those that take a list of texts (or one
# text): core's schema converts the others with int() or iterates them, and answers 500 to a wrong
# JSON type (docs/upstream.md).
_SEARCH_SCALARS = ("q", "fq", "sort", "rows", "start", "facet", "facet.limit", "facet.mincount", "facet.sort",
                   "include_private", "include_drafts", "include_deleted", "use_default_schema", "defType",
                   "qf", "df", "mm", "q.op", "hl", "tie", "bf", "boost")
_SEARCH_LISTS = ("fq_list", "fl", "facet.field", "facet.range", "permission_labels")


@documented_as_core
@tk.chained_action
@tk.side_effect_free
def package_search(original, context, data_dict):
    """Core's package_search, after a check of its parameters' JSON types: a 409 naming the
    parameter, where core answered 500."""
    errors = {}
    for name in _SEARCH_SCALARS:
        value = data_dict.get(name)
        if isinstance(value, (dict, list)):
            errors[name] = [tk._("Must be a single value, not a list or an object")]
    for name in _SEARCH_LISTS:
        value = data_dict.get(name)
        if value is not None and not isinstance(value, str) and not (
                isinstance(value, list) and all(isinstance(item, str) for item in value)):
            errors[name] = [tk._("Must be a text or a list of texts")]
    if errors:
        raise tk.ValidationError(errors)
    return original(context, data_dict)


# --- ids that are not texts ----------------------------------------------------------------------


def _text_id(data_dict, *keys):
    """A 409 for an id that is not a text (core looks a list or a number up in SQL: 500). A row
    of a query passes: core 2.12's bulk actions give one as the id."""
    for key in keys:
        if isinstance(data_dict.get(key), (dict, list, int, float, bool)):
            raise tk.ValidationError({key: [tk._("Must be a Unicode string value")]})


@documented_as_core
@tk.chained_action
@tk.side_effect_free
def package_show(original, context, data_dict):
    """Core's package_show; to a visitor who is not signed in, a dataset they may not read is
    "not found", as one that does not exist (core's 403 told anyone that a draft of that name
    exists, and its id)."""
    _text_id(data_dict, "id", "name_or_id")
    try:
        return original(context, data_dict)
    except tk.NotAuthorized:
        if context.get("user"):
            raise
        raise tk.ObjectNotFound(tk._("Dataset not found")) from None


@documented_as_core
@tk.chained_action
@tk.side_effect_free
def organization_show(original, context, data_dict):
    _text_id(data_dict, "id")
    return original(context, data_dict)


@documented_as_core
@tk.chained_action
@tk.side_effect_free
def group_show(original, context, data_dict):
    _text_id(data_dict, "id")
    return original(context, data_dict)
