"""Actions of the publication review: a GdD submits, the producer's ROD publishes or returns.

Each transition goes through package_patch as the acting user, so CKAN's activity stream records
who did it and when; the ``datagovma_workflow`` context flag is what lets the change through the
``publication_status`` validator.

Also ``organization_show``, ``group_show`` and ``group_follower_count``, chained: the same answers
as CKAN's for less work on every producer and theme page (see _show_without_empty_sub_groups and
group_follower_count)."""

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.logic.action import get as core_get

__all__ = ["datagovma_dataset_submit", "datagovma_dataset_publish", "datagovma_dataset_return",
           "organization_show", "group_show", "group_follower_count"]


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
    _require_status(dataset, ("draft", "returned"), tk._("submitted"))
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
    if not wanted or not group_id or _has_sub_groups(group_id):
        return original(context, data_dict)
    result = original(context, dict(data_dict, include_groups=False))  # NotFound for an unknown id
    result["groups"] = []
    return result


# Core's sub-groups: the active members of table "group" of the group named or identified by :ref
# (by id first, as model.Group.get). Asked pair by pair on member's (group_id, table_id) index: a
# producer is a member row of each of its datasets, so its rows alone are thousands to read.
_SUB_GROUP = sa.text("""
    SELECT 1 FROM member
    WHERE member.group_id = (SELECT id FROM "group" WHERE id = :ref OR name = :ref ORDER BY id = :ref DESC LIMIT 1)
      AND member.table_id = ANY(ARRAY(SELECT id FROM "group"))
      AND member.table_name = 'group' AND member.state = 'active'
    LIMIT 1""")


def _has_sub_groups(group_id):
    return model.Session.execute(_SUB_GROUP, {"ref": group_id}).first() is not None


def _documented_as_core(chained):
    """CKAN wraps a chained action in a functools.partial, whose docstring help_show would serve in
    place of the action's documentation; it copies the function's __dict__ onto the partial, so
    core's docstring placed there is what API users keep reading."""
    chained.__dict__["__doc__"] = getattr(core_get, chained.__name__).__doc__
    return chained


@_documented_as_core
@tk.chained_action
@tk.side_effect_free
def organization_show(original, context, data_dict):
    return _show_without_empty_sub_groups(original, context, data_dict)


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
    every organization_show and group_show (each producer and theme page)."""
    if context.get("schema"):  # a caller's own schema: core's way
        return original(context, data_dict)
    from ckan.logic.schema import default_follow_group_schema

    tk.check_access("group_follower_count", context, data_dict)
    data, errors = tk.navl_validate(data_dict, default_follow_group_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    return model.Session.execute(_FOLLOWERS, {"id": data["id"]}).scalar()
