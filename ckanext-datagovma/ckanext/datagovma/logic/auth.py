"""Who may move a dataset through the review: GdDs (organization editors) submit, RODs
(organization admins) and sysadmins publish or return."""

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model

__all__ = ["datagovma_dataset_submit", "datagovma_dataset_publish", "datagovma_dataset_return"]


def _dataset(data_dict):
    dataset = model.Package.get(data_dict.get("id") or "")
    if dataset is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return dataset


def datagovma_dataset_submit(context, data_dict):
    """Anyone who may edit the dataset (its producer's GdDs and ROD) may submit it."""
    return tk.check_access("package_update", context, {"id": _dataset(data_dict).id}) and {"success": True}


def _rod(context, data_dict):
    dataset = _dataset(data_dict)
    user = context.get("user")
    if dataset.owner_org and authz.has_user_permission_for_group_or_org(dataset.owner_org, user, "admin"):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the ROD of the producer may review this dataset")}


def datagovma_dataset_publish(context, data_dict):
    return _rod(context, data_dict)


def datagovma_dataset_return(context, data_dict):
    return _rod(context, data_dict)
