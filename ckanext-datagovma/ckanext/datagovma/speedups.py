"""Optional speed-ups over CKAN core and ckanext-dcat (plugin ``datagovma_speedups``): the same
answers for less work on the portal's busiest pages. The portal runs the same without this
plugin (its pages and API answer alike: tests/portal/test_speedups.py); each speed-up is a fix
to propose upstream, with the gain that justified it (docs/upstream.md).

Actions chained on core: organization_show, group_show (no search for the dataset counts of
sub-groups a producer or theme does not have), group_follower_count (one SQL count),
am_following_group and am_following_dataset (no user look-up for a visitor who is not signed
in), package_show (one query where core made four) and resource_view_list (a dataset's views in
one query); helpers: url_for, check_access (asked once per page), markdown_extract and
render_markdown (kept answers), structured_data (profiles found once per process)."""

import functools
import html
import json
import threading
from textwrap import shorten

import ckan.plugins.toolkit as tk
import markdown
import nh3
import simplejson
import sqlalchemy as sa
from ckan import model
from ckan.lib import datapreview
from ckan.lib.dictization import model_dictize
from ckan.logic.schema import default_follow_dataset_schema, default_follow_group_schema
from ckanext.dcat.processors import RDFSerializer
from flask import g, has_request_context, request

from .logic.action import documented_as_core

ACTIONS = ("organization_show", "group_show", "group_follower_count", "am_following_group", "am_following_dataset",
           "package_show", "resource_view_list")
HELPERS = ("url_for", "check_access", "markdown_extract", "render_markdown", "structured_data")
_local = threading.local()


def actions():
    return {name: globals()[name] for name in ACTIONS}


def helpers():
    return {name: globals()[name] for name in HELPERS}


# --- actions -------------------------------------------------------------------------------------


def _show_without_empty_sub_groups(original, context, data_dict):
    """CKAN lists a group's sub-groups (``groups``) by default, and to dictize that list it first
    asks the search index for the dataset counts of every group and organization (a search
    faceted on all of them), even when the list is empty, which it is for every producer and theme
    of the portal: a quarter of a producer page's time. When the group has no sub-group, core is
    asked without them and gets the empty list it would have returned; otherwise core answers."""
    group_id = data_dict.get("id")
    if group_id is not None and not isinstance(group_id, str):
        return original(context, data_dict)
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


@documented_as_core
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


@documented_as_core
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


@documented_as_core
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


@documented_as_core
@tk.chained_action
@tk.side_effect_free
def am_following_group(original, context, data_dict):
    return _not_logged_in_follows_nothing(original, context, data_dict, "group", default_follow_group_schema)


@documented_as_core
@tk.chained_action
@tk.side_effect_free
def am_following_dataset(original, context, data_dict):
    return _not_logged_in_follows_nothing(original, context, data_dict, "package", default_follow_dataset_schema)


@documented_as_core
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


@documented_as_core
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


# --- helpers -------------------------------------------------------------------------------------


@functools.cache
def _serializer_class():
    """ckanext-dcat's RDF serializer, its profile classes found once per process."""
    loaded = {}

    class Serializer(RDFSerializer):
        def _load_profiles(self, names):
            key = tuple(names)
            if key not in loaded:
                loaded[key] = super()._load_profiles(names)
            return loaded[key]

    return Serializer


@tk.chained_helper
def structured_data(dcat_structured_data, dataset_dict, profiles=None):
    """The schema.org JSON-LD of a dataset page: ckanext-dcat's ``structured_data`` (same output),
    except that ckanext-dcat looks its profiles up among every installed package's entry points at
    each page view, and this looks them up once per process; and the JSON-LD of the last 256
    dataset versions shown is kept (its RDF serialisation is a tenth of a dataset page)."""
    profiles = tuple(profiles or tk.config.get("ckanext.dcat.structured_data.profiles") or ["schemaorg"])
    try:
        dataset_json = json.dumps(dataset_dict, sort_keys=True)
    except TypeError:  # not plain JSON (a caller's own dict): not kept
        return _json_ld(profiles, dataset_dict)
    if len(dataset_json) > 32_000:  # hundreds of resources: not kept, which bounds what is kept
        return _json_ld(profiles, dataset_dict)
    # The output depends on the dataset, on the language of the page (url_for adds /ar/ to the
    # dataset's address) and on the site's title and description (editable by sysadmins).
    return _kept_json_ld(profiles, tk.h.lang(), tk.config.get("ckan.site_title"),
                         tk.config.get("ckan.site_description"), dataset_json)


@functools.lru_cache(maxsize=256)
def _kept_json_ld(profiles, lang, site_title, site_description, dataset_json):
    return _json_ld(profiles, json.loads(dataset_json))


def _json_ld(profiles, dataset_dict):
    output = _serializer_class()(profiles=list(profiles)).serialize_dataset(dataset_dict, _format="jsonld")
    try:
        return simplejson.dumps(simplejson.loads(output), sort_keys=True, indent=4, separators=(",", ": "),
                                cls=simplejson.JSONEncoderForHTML)
    except ValueError:
        return output


@tk.chained_helper
def check_access(core_check_access, action, data_dict=None):
    """CKAN's ``h.check_access``, asked once per page for the same question: a dataset page asks
    whether the visitor may edit the dataset four times (its header and each resource's menu),
    each time looking the dataset and its producer up in PostgreSQL. Only within a GET or HEAD
    request, which changes no permission while the page is built."""
    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return core_check_access(action, data_dict)
    try:
        key = (action, tk.current_user.name, json.dumps(data_dict or {}, sort_keys=True))
    except (TypeError, AttributeError):
        return core_check_access(action, data_dict)
    answers = g.setdefault("_datagovma_access", {})
    if key not in answers:
        answers[key] = core_check_access(action, data_dict)
    return answers[key]


@tk.chained_helper
def url_for(core_url_for, *args, **kwargs):
    """CKAN's ``h.url_for``, answered once per page for the same arguments: a search page asked
    for the home page's, the catalogue's and its own address several times each (74 calls, a
    fifth of them repeats, each about 50 µs of URL building). Only within a GET or HEAD request,
    whose locale and root do not change while the page is built; unhashable arguments go to core."""
    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return core_url_for(*args, **kwargs)
    key = (args, tuple(sorted(kwargs.items())))
    try:
        hash(key)
    except TypeError:
        return core_url_for(*args, **kwargs)
    answers = g.setdefault("_datagovma_urls", {})
    if key not in answers:
        answers[key] = core_url_for(*args, **kwargs)
    return answers[key]


def markdown_extract(text, extract_length=190):
    """CKAN's ``markdown_extract`` (the plain text of a Markdown description, shortened), with the
    same result for less work on list pages: one Markdown converter per thread, reset between
    texts, instead of a new one per call, and the answers for the last thousand descriptions
    kept (a pure function of its arguments): every dataset of a list asks twice (core's
    ``package_item.html`` for ``notes``, ours for the reader's language), and the same lists are
    shown again and again. Texts over 16,000 characters are not kept: what a process keeps is
    bounded by 1,024 such texts (a few hundred kB for descriptions of usual length)."""
    if not text:
        return ""
    if len(text) > 16_000:
        return _extract.__wrapped__(text, extract_length)
    return _extract(text, extract_length)


@functools.lru_cache(maxsize=1024)
def _extract(text, extract_length):
    converter = getattr(_local, "markdown", None)
    if converter is None:
        converter = _local.markdown = markdown.Markdown()
    converter.reset()
    plain = html.unescape(nh3.clean(converter.convert(text), tags=set()))
    if extract_length and len(plain) >= extract_length:
        plain = shorten(plain, width=extract_length, placeholder="...")
    return plain


@tk.chained_helper
def render_markdown(core_render_markdown, data, auto_link=True, allow_html=False):
    """CKAN's ``render_markdown``, its answers for the last 1,024 texts kept per language of the
    page (a pure function of its arguments and of that language, which the addresses of its
    ``tag:`` and ``group:`` links carry): a dataset page rendered its description at each visit,
    building a Markdown converter and cleaning the HTML each time (0.8 ms). Texts over 16,000
    characters, and calls outside a request, are rendered each time."""
    if not isinstance(data, str) or not data or len(data) > 16_000 or not has_request_context():
        return core_render_markdown(data, auto_link, allow_html)
    return _rendered(core_render_markdown, data, bool(auto_link), bool(allow_html), tk.h.lang())


@functools.lru_cache(maxsize=1024)
def _rendered(render, data, auto_link, allow_html, lang):  # lang: part of the key only
    return render(data, auto_link, allow_html)
