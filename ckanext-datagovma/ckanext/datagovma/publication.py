"""The publication invariant, in one place: a dataset is public (``private`` false, so anonymous
visitors read it and every channel lists it) if and only if its publication status is
``published``, it is active, and it may be published (not classified, loi 05-20; no personal data
that is not anonymised, loi 09-08).

The review actions and the ``publication_status`` validator decide the status and tell users why
a change is refused; this module makes ``private`` follow from the status on every write of a
dataset, whatever the path (API, forms, bulk actions, harvest, command line), by listening to the
database session; and :func:`check` finds what breaks the invariant in the database or in the
search index (``ckan datagovma check``)."""

import logging

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib.plugins import get_permission_labels
from ckan.lib.search import query as search_query

log = logging.getLogger(__name__)

STATUSES = ("draft", "in_review", "returned", "published", "withdrawn")
PUBLISHABLE_CLASSIFICATION = "non-classifie"
PERSONAL_DATA = "personnelles"
# The dataset types the dataset actions accept; a harvest source only goes through the harvest
# actions (logic/action.py), and is not a dataset: this invariant does not apply to it.
DATASET_TYPE = "dataset"
HARVEST_SOURCE_TYPE = "harvest"


def refusal(classification, personal_data):
    """Why a dataset with these values can never be published: (field, message), or None."""
    if classification not in (PUBLISHABLE_CLASSIFICATION, None, ""):
        return "classification", tk._("Classified information (loi 05-20) can never be published")
    if personal_data == PERSONAL_DATA:
        return "personal_data", tk._("Personal data that is not anonymised (loi 09-08) can never be published")
    return None


def should_be_public(package_type, state, extras):
    """Whether a package with this type, state and extras must be public."""
    extras = extras or {}
    return (package_type == DATASET_TYPE and state == "active"
            and extras.get("publication_status") == "published"
            and refusal(extras.get("classification"), extras.get("personal_data")) is None)


def _is_public(package):
    return not package.private and package.state == "active"


# --- enforcement on every write ----------------------------------------------------------------


def _enforce(session, flush_context, instances):
    """before_flush: each dataset written gets the visibility its status and content give it.
    An active dataset that is not published is private even while a flush is half-way (core's
    creation wizard writes a draft first): nothing reaches the database public by mistake."""
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, model.Package) or obj.type == HARVEST_SOURCE_TYPE:
            continue
        private = not should_be_public(obj.type, obj.state or "active", obj.extras)
        if obj.private != private:
            obj.private = private


def _relabel_activities(session, flush_context):
    """after_flush: a dataset that stops being public gets its past activities labelled as it now
    is. CKAN labels an activity once, when it is recorded: the activities of a dataset recorded
    while it was public (its whole dict, later edits included) would otherwise stay readable by
    anyone in the user, producer, dashboard and recently-changed streams after a withdrawal. A
    dataset that becomes public keeps its earlier activities as they were: its drafts (what was
    typed before the review) stay with its producer."""
    if not _activity_table_exists(session):
        return
    for obj in session.dirty:
        if not isinstance(obj, model.Package) or obj.type == HARVEST_SOURCE_TYPE:
            continue
        history = sa.inspect(obj).attrs.private.history
        state_history = sa.inspect(obj).attrs.state.history
        if not (history.has_changes() or state_history.has_changes()) or _is_public(obj):
            continue
        labels = get_permission_labels().get_dataset_labels(obj)
        session.execute(_RELABEL, {"labels": labels, "id": obj.id})


_RELABEL = sa.text("""
    UPDATE activity SET permission_labels = :labels
    WHERE object_id = :id AND activity_type LIKE '%package'""")


def _activity_table_exists(session):
    found = session.info.get("datagovma_activity_table")
    if found is None:
        found = session.info["datagovma_activity_table"] = bool(session.execute(
            sa.text("SELECT to_regclass('activity') IS NOT NULL")).scalar())
    return found


def register():
    """Listens to CKAN's database session (plugin's IConfigurable.configure); once per process."""
    if not sa.event.contains(model.Session, "before_flush", _enforce):
        sa.event.listen(model.Session, "before_flush", _enforce)
        sa.event.listen(model.Session, "after_flush", _relabel_activities)


# --- who reads what ---------------------------------------------------------------------------


def readable_filter(user_name):
    """A condition on ``model.Package`` true for the datasets ``user_name`` may read (None: every
    one, for sysadmins): the public ones, and those of the producers the user belongs to, as
    CKAN's package_show authorises them."""
    user = model.User.get(user_name) if user_name else None
    if user is not None and user.sysadmin:
        return None
    public = sa.and_(model.Package.private.is_(False), model.Package.state == "active")
    if user is None:
        return public
    producers = model.Session.query(model.Member.group_id).filter(
        model.Member.table_name == "user", model.Member.table_id == user.id, model.Member.state == "active")
    return sa.or_(public, sa.and_(model.Package.state != "deleted", model.Package.owner_org.in_(producers)))


def readable_ids(user_name, ids):
    """The ids among ``ids`` of datasets ``user_name`` may read."""
    condition = readable_filter(user_name)
    ids = [i for i in ids if isinstance(i, str)]
    if condition is None or not ids:
        return set(ids)
    return {i for (i,) in model.Session.query(model.Package.id).filter(model.Package.id.in_(ids), condition)}


def readable_tags(user_name, names):
    """The keywords among ``names`` found on a dataset ``user_name`` may read (None: all of them,
    for sysadmins). Asked about the keywords an answer holds, not about every keyword of the
    portal: keyword suggestions are asked at each key a GdD types."""
    condition = readable_filter(user_name)
    if condition is None:
        return None
    names = {name for name in names if isinstance(name, str)}
    if not names:
        return set()
    rows = (model.Session.query(model.Tag.name)
            .join(model.PackageTag, model.PackageTag.tag_id == model.Tag.id)
            .join(model.Package, model.Package.id == model.PackageTag.package_id)
            .filter(model.Tag.name.in_(names), model.PackageTag.state == "active", condition).distinct())
    return {name for (name,) in rows}


# --- the check ---------------------------------------------------------------------------------


def check():
    """Every dataset that breaks the invariant, as sentences: in the database (public when it
    should not be, or the reverse; said to be published while it is not active) and in the
    search index (a document public while its dataset is not, or missing). An empty list when all
    is well."""
    problems = []
    rows = model.Session.query(model.Package.id, model.Package.name, model.Package.type, model.Package.state,
                               model.Package.private, model.Package.extras).filter(
        model.Package.type != HARVEST_SOURCE_TYPE, model.Package.state != "deleted")
    public_in_db = {}
    for id_, name, type_, state, private, extras in rows:
        is_public = not private and state == "active"
        should = should_be_public(type_, state, extras)
        if is_public:
            public_in_db[id_] = name
        if is_public and not should:
            problems.append(f"{name}: public, but {_why_not(type_, state, extras)}")
        elif should and not is_public:
            problems.append(f"{name}: published and publishable, but private")
        elif (extras or {}).get("publication_status") == "published" and state != "active" and type_ == DATASET_TYPE:
            problems.append(f"{name}: said to be published, but its state is {state}")
    problems.extend(_index_problems(public_in_db))
    return problems


def _why_not(type_, state, extras):
    extras = extras or {}
    if type_ != DATASET_TYPE:
        return f"of type {type_!r}"
    if extras.get("publication_status") != "published":
        return f"its status is {extras.get('publication_status') or 'none'}"
    found = refusal(extras.get("classification"), extras.get("personal_data"))
    return found[1] if found else f"its state is {state}"


def _index_problems(public_in_db):
    """Documents the search index shows anonymous visitors that are not public datasets, and
    public datasets (``public_in_db``: {id: name}) it does not show them."""
    problems = []
    indexed = set()
    start = 0
    while True:
        try:
            found = search_query.PackageSearchQuery().run(
                {"q": "*:*", "fq": f"+capacity:public -dataset_type:{HARVEST_SOURCE_TYPE}", "fl": "id name",
                 "rows": 1000, "start": start, "sort": "id asc", "facet": "false"}, permission_labels=["public"])
        except Exception as error:  # the index is down: say so, the database check still stands
            return [f"the search index could not be read: {error}"]
        for doc in found["results"]:
            indexed.add(doc["id"])
            if doc["id"] not in public_in_db:
                problems.append(f"{doc.get('name') or doc['id']}: listed as public by the search index, "
                                f"but not public in the database")
        start += 1000
        if start >= found["count"]:
            break
    for id_ in public_in_db.keys() - indexed:
        problems.append(f"{public_in_db[id_]}: public, but missing from the search index")
    return problems
