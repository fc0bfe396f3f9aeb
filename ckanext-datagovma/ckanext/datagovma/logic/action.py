"""Actions of the publication review: a GdD submits, the producer's ROD publishes, returns or
withdraws. The one door to publication: the dataset actions take only datasets, the harvest
actions only harvest sources, and the producer page's bulk actions follow the review's rules.

Each transition goes through package_patch as the acting user, so CKAN's activity stream records
who did it and when; the ``datagovma_workflow`` context flag is what lets the change through the
``publication_status`` validator.

Also ``organization_show``, ``group_show``, ``group_follower_count``, ``am_following_group``,
``am_following_dataset``, ``package_show`` and ``resource_view_list``, chained: the same answers as
CKAN's for less work on every producer, theme and dataset page (see _show_without_empty_sub_groups,
_found_in_this_request, group_follower_count, _not_logged_in_follows_nothing, package_show and
resource_view_list)."""

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import datapreview
from ckan.lib.dictization import model_dictize
from ckan.logic.action import create as core_create
from ckan.logic.action import get as core_get
from ckan.logic.action import update as core_update
from ckan.logic.schema import default_follow_dataset_schema, default_follow_group_schema
from flask import g, has_request_context, request

from .. import fetcher, publication

__all__ = ["datagovma_dataset_submit", "datagovma_dataset_publish", "datagovma_dataset_return",
           "datagovma_dataset_withdraw", "package_create", "package_update", "harvest_source_create",
           "harvest_source_update", "harvest_source_reindex", "bulk_update_public", "package_search",
           "tag_list", "tag_show", "member_list", "organization_show", "group_show", "group_follower_count",
           "am_following_group", "am_following_dataset", "package_show", "resource_view_list"]


def _documented_as_core(chained):
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
    comment = (data_dict.get("comment") or "").strip()
    if not comment:
        raise tk.ValidationError({"comment": [tk._("Say what must change before publication")]})
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
    reason = data_dict.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise tk.ValidationError({"reason": [tk._("Say why the publication is withdrawn")]})
    dataset = _current(context, data_dict)
    _require_status(dataset, ("published",), tk._("withdrawn"))
    return _transition(context, dataset, "withdrawn", comment=reason.strip())


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


@_documented_as_core
@tk.chained_action
def package_create(original, context, data_dict):
    """Core's package_create, for datasets only (a harvest source through harvest_source_create)."""
    _check_type(context, data_dict.get("type"))
    return original(context, data_dict)


@_documented_as_core
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


@_documented_as_core
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


@_documented_as_core
@tk.chained_action
@tk.side_effect_free
def tag_list(original, context, data_dict):
    """Core's list, less the keywords found only on datasets the caller may not read."""
    tags = original(context, data_dict)
    readable = publication.readable_tag_ids(context.get("user"))
    if readable is None:
        return tags
    names = {tag.name for tag in model.Session.query(model.Tag).filter(model.Tag.id.in_(readable))}
    return [tag for tag in tags if (tag["name"] if isinstance(tag, dict) else tag) in names]


@_documented_as_core
@tk.chained_action
@tk.side_effect_free
def tag_show(original, context, data_dict):
    """Core's tag, unknown when it is only on datasets the caller may not read; its datasets
    (``include_datasets``) only those the caller may read."""
    tag = original(context, data_dict)
    readable = publication.readable_tag_ids(context.get("user"))
    if readable is None:
        return tag
    if tag["id"] not in readable:
        raise tk.ObjectNotFound(tk._("Tag not found"))
    if tag.get("packages"):
        allowed = publication.readable_ids(context.get("user"), [p["id"] for p in tag["packages"]])
        tag["packages"] = [p for p in tag["packages"] if p["id"] in allowed]
    return tag


@_documented_as_core
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


@_documented_as_core
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


def _show_without_empty_sub_groups(original, context, data_dict):
    """CKAN lists a group's sub-groups (``groups``) by default, and to dictize that list it first
    asks the search index for the dataset counts of every group and organization (a search
    faceted on all of them), even when the list is empty, which it is for every producer and theme
    of the portal: a quarter of a producer page's time. When the group has no sub-group, core is
    asked without them and gets the empty list it would have returned; otherwise core answers."""
    group_id = data_dict.get("id")
    if group_id is not None and not isinstance(group_id, str):
        # core looks a list or a number up in SQL and answers 500
        raise tk.ValidationError({"id": [tk._("Must be a Unicode string value")]})
    try:
        wanted = tk.asbool(data_dict.get("include_groups", True))
    except ValueError:
        wanted = False  # core's own answer to a bad boolean follows
    if not wanted or not group_id:
        return original(context, data_dict)
    found = model.Session.execute(_GROUP_AND_SUB_GROUPS, {"ref": group_id}).first()
    if found is None:
        return original(context, data_dict)  # core's NotFound
    _remember("group", group_id, found.id)
    # by its id: core's model.Group.get and the access check's then find it by primary key, where
    # a name costs each of them a failed primary-key query first
    if found.has_sub_groups:
        return original(context, dict(data_dict, id=found.id))
    result = original(context, dict(data_dict, id=found.id, include_groups=False))
    result["groups"] = []
    return result


# The group named or identified by :ref (by id first, as model.Group.get), and whether it has
# sub-groups, as core lists them: active members of table "group". Asked pair by pair on member's
# (group_id, table_id) index: a producer is a member row of each of its datasets, so its rows alone
# are thousands to read.
_GROUP_AND_SUB_GROUPS = sa.text("""
    SELECT found.id, EXISTS (
        SELECT 1 FROM member
        WHERE member.group_id = found.id
          AND member.table_id = ANY(ARRAY(SELECT id FROM "group"))
          AND member.table_name = 'group' AND member.state = 'active') AS has_sub_groups
    FROM (SELECT id FROM "group" WHERE id = :ref OR name = :ref ORDER BY id = :ref DESC LIMIT 1) AS found""")


def _found_in_this_request(kind):
    """The groups or datasets (``kind``) found during this GET or HEAD request: {name or id asked:
    its id}, what CKAN's ``convert_group_name_or_id_to_id`` or ``convert_package_name_or_id_to_id``
    would answer for them (``model.Group.get`` or ``model.Package.get``, any state). A producer
    page asks it for the same producer in organization_show, in its follower count and in
    ``am_following_group``, a dataset page for the same dataset in package_show and
    ``am_following_dataset``, two queries each; a request that changes nothing cannot make a found
    group or dataset vanish. None outside such a request (start_request_memory)."""
    found = g.get("_datagovma_found") if has_request_context() else None
    return None if found is None else found.setdefault(kind, {})


def start_request_memory():
    """Flask ``before_request`` hook (plugin.make_middleware): a GET or HEAD request that the portal
    serves gets an empty memory of found groups and datasets. A request context that a command
    pushes gets none: ckanext-harvest's consumers run for days inside one such context, creating
    and purging datasets, and before_request hooks only run for requests served."""
    if request.method in ("GET", "HEAD"):
        g._datagovma_found = {}


def _remember(kind, ref, found_id):
    found = _found_in_this_request(kind) if isinstance(ref, str) and found_id else None
    if found is not None:
        found[ref] = found[found_id] = found_id


def _known_id(kind, data_dict):
    """The id of what ``data_dict["id"]`` names if this request found it already, else None."""
    ref = data_dict.get("id")
    found = _found_in_this_request(kind) if isinstance(ref, str) else None
    return found.get(ref) if found else None


@_documented_as_core
@tk.chained_action
@tk.side_effect_free
def organization_show(original, context, data_dict):
    if _asked_by_its_own_page(context, data_dict):
        data_dict = dict(data_dict, include_dataset_count=False, include_followers=False)
    return _show_without_empty_sub_groups(original, context, data_dict)


def _asked_by_its_own_page(context, data_dict):
    """Whether a producer's page (core's ``organization.read``) asks for the producer it lists,
    leaving the counts to core's defaults. Core then counts the producer's datasets with a search
    of their own (``package_count``), which the page searches again for its listing, and its
    followers (``num_followers``); the page shows neither (the producer card has no figures, and
    the listing counts its own results, which the reader's facets filter). Asked without them,
    the page costs a search and a query less; any other caller gets core's counts."""
    return (bool(context.get("for_view"))
            and "include_dataset_count" not in data_dict and "include_followers" not in data_dict
            and has_request_context() and request.method == "GET" and request.endpoint == "organization.read")


@_documented_as_core
@tk.chained_action
@tk.side_effect_free
def group_show(original, context, data_dict):
    return _show_without_empty_sub_groups(original, context, data_dict)


# Core's count (ckan.model.follower): followers that are not deleted users, of a group or
# organization that is not deleted.
_FOLLOWERS = sa.text("""
    SELECT count(*) FROM user_following_group f
    JOIN "user" u ON u.id = f.follower_id
    JOIN "group" g ON g.id = f.object_id
    WHERE f.object_id = :id AND u.state != 'deleted' AND g.state != 'deleted'""")


@_documented_as_core
@tk.chained_action
@tk.side_effect_free
def group_follower_count(original, context, data_dict):
    """Core's access check and validation of the id, then one SQL count: core builds an ORM query
    with new table aliases at each call, 1.5 ms of Python for a count of a few rows, asked by
    every organization_show and group_show (each producer and theme page). A group this request
    found already (_found_in_this_request) is not looked up again."""
    if context.get("schema"):  # a caller's own schema: core's way
        return original(context, data_dict)
    tk.check_access("group_follower_count", context, data_dict)
    group_id = _known_id("group", data_dict) or _validated_group_id(context, data_dict)
    return model.Session.execute(_FOLLOWERS, {"id": group_id}).scalar()


def _validated_group_id(context, data_dict):
    """The id core's follow schema turns ``data_dict["id"]`` into, or its ValidationError."""
    return _validated_id("group", default_follow_group_schema(), context, data_dict)


def _validated_id(kind, schema, context, data_dict):
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    _remember(kind, data_dict["id"], data["id"])
    return data["id"]


def _not_logged_in_follows_nothing(original, context, data_dict, kind, schema):
    """Core's am_following_* answers a visitor who is not logged in with NotAuthorized, after
    validating the id (a ValidationError for an unknown one) and looking a user named "" up: 2.5 ms
    of a producer or dataset page, whose view asks it for every visitor. The same answers, without
    the user look-up, and without the id's when this request found it already."""
    if context.get("user") or context.get("schema"):
        return original(context, data_dict)
    tk.check_access(f"am_following_{'group' if kind == 'group' else 'dataset'}", context, data_dict)
    if not _known_id(kind, data_dict):
        _validated_id(kind, schema(), context, data_dict)
    raise tk.NotAuthorized


@_documented_as_core
@tk.chained_action
@tk.side_effect_free
def am_following_group(original, context, data_dict):
    return _not_logged_in_follows_nothing(original, context, data_dict, "group", default_follow_group_schema)


@_documented_as_core
@tk.chained_action
@tk.side_effect_free
def am_following_dataset(original, context, data_dict):
    return _not_logged_in_follows_nothing(original, context, data_dict, "package", default_follow_dataset_schema)


@_documented_as_core
@tk.chained_action
@tk.side_effect_free
def package_show(original, context, data_dict):
    """Core's answer, for one query where core made four: core's ``model.Package.get`` and its
    access check's each try the name as a primary key (a query that finds nothing) before looking
    it up by name. The dataset named or identified is loaded here in one query and core is asked
    by its id, which both then find in SQLAlchemy's session. The dataset found is remembered for
    the rest of this GET request (_found_in_this_request), and so are its resources, for
    resource_view_list."""
    ref = data_dict.get("id") or data_dict.get("name_or_id")
    if isinstance(ref, (dict, list, int, float, bool)):
        # core looks a list or a number up in SQL and answers 500
        raise tk.ValidationError({"id": [tk._("Must be a Unicode string value")]})
    if not isinstance(ref, str):
        return original(context, data_dict)  # e.g. the row core 2.12's bulk actions pass as an id
    if ref and not context.get("for_update"):
        dataset = _dataset_named_or_identified(ref)
        if dataset is not None:
            data_dict = dict(data_dict, id=dataset.id)
    result = original(context, data_dict)
    _remember("package", ref, result.get("id"))
    resources = _found_in_this_request("resource_of")
    if resources is not None:
        resources.update((resource["id"], result["id"]) for resource in result.get("resources") or []
                         if isinstance(resource, dict) and "id" in resource)
    return result


def _dataset_named_or_identified(ref):
    """``model.Package.get(ref)`` in one query: the dataset whose id is ``ref``, else the one
    whose name is, in any state."""
    return (model.Session.query(model.Package)
            .filter(sa.or_(model.Package.id == ref, model.Package.name == ref))
            .order_by((model.Package.id == ref).desc())
            .first())


@_documented_as_core
@tk.chained_action
@tk.side_effect_free
def resource_view_list(original, context, data_dict):
    """Core's answer. A dataset page asks it for each resource of the dataset (to know which have
    a preview), two queries each: the resource, then its views. For a resource of a dataset that
    this GET request showed, the dataset's resources and all their views are read in one query at
    the first call, and each call is answered from them after core's access check."""
    resource_id = data_dict.get("id")
    datasets = _found_in_this_request("resource_of")
    dataset_id = datasets.get(resource_id) if datasets and isinstance(resource_id, str) else None
    if dataset_id is None or context.get("schema"):
        return original(context, data_dict)
    views = _found_in_this_request("views_of_dataset")
    if dataset_id not in views:
        views[dataset_id] = _views_by_resource(dataset_id)
    if resource_id not in views[dataset_id]:
        return original(context, data_dict)  # not among the dataset's resources any more: core's answer
    resource, resource_views = views[dataset_id][resource_id]
    context["resource"] = resource
    tk.check_access("resource_view_list", context, data_dict)
    shown = [view for view in resource_views if datapreview.get_view_plugin(view.view_type)]
    return model_dictize.resource_view_list_dictize(shown, context)


def _views_by_resource(dataset_id):
    """{resource id: (resource, [its views, in their order])} for every resource of the dataset, in
    one query. The access check looks each resource up by primary key in SQLAlchemy's session,
    which holds an object only while something refers to it: this memory does."""
    rows = (model.Session.query(model.Resource, model.ResourceView)
            .outerjoin(model.ResourceView, model.ResourceView.resource_id == model.Resource.id)
            .filter(model.Resource.package_id == dataset_id)
            .order_by(model.Resource.id, model.ResourceView.order))
    found = {}
    for resource, view in rows:
        found.setdefault(resource.id, (resource, []))
        if view is not None:
            found[resource.id][1].append(view)
    return found
