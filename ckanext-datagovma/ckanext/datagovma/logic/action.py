"""Actions of the publication review: a GdD submits, the producer's ROD publishes or returns.

Each transition goes through package_patch as the acting user, so CKAN's activity stream records
who did it and when; the ``datagovma_workflow`` context flag is what lets the change through the
``publication_status`` validator."""

import ckan.plugins.toolkit as tk

__all__ = ["datagovma_dataset_submit", "datagovma_dataset_publish", "datagovma_dataset_return"]


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
