"""Who may move a dataset through the review: GdDs (organization editors) submit, RODs
(organization admins) and sysadmins publish, return or withdraw. Who may touch a harvest source
(it publishes what it harvests): sysadmins and the ROD of its producer only. Whose account one may
read: one's own (sysadmins every one; RODs those of their producer's members)."""

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest.model import HarvestJob, HarvestObject

from .. import publication

__all__ = ["datagovma_dataset_submit", "datagovma_dataset_publish", "datagovma_dataset_return",
           "datagovma_dataset_withdraw", "harvest_source_create", "harvest_source_update", "harvest_source_delete",
           "harvest_source_clear", "harvest_source_reindex", "harvest_job_create",
           "harvest_send_job_to_gather_queue", "package_update", "user_show", "user_list", "user_autocomplete",
           "package_collaborator_list", "harvest_object_show", "harvest_object_list", "organization_list_for_user"]


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


def datagovma_dataset_withdraw(context, data_dict):
    return _rod(context, data_dict)


# --- harvest sources ---------------------------------------------------------------------------


def _rod_of(owner_org, context, what):
    user = context.get("user")
    if user and (authz.is_sysadmin(user) or (
            owner_org and authz.has_user_permission_for_group_or_org(owner_org, user, "admin"))):
        return {"success": True}
    return {"success": False, "msg": what}


def _source(data_dict, key="id"):
    ref = data_dict.get(key)
    source = model.Package.get(ref) if isinstance(ref, str) else None
    if source is None or source.type != "harvest":
        raise tk.ObjectNotFound(tk._("Harvest source not found"))
    return source


@tk.chained_auth_function
def harvest_source_create(next_auth, context, data_dict):
    """A harvest publishes what it harvests: only a sysadmin or the ROD of the producer named as
    the source's owner creates one (ckanext-harvest lets anyone who may create a dataset)."""
    owner = data_dict.get("owner_org")
    return _rod_of(owner if isinstance(owner, str) else None, context,
                   tk._("Only the ROD of the producer may create its harvest sources"))


def _source_rule(context, data_dict, key="id"):
    return _rod_of(_source(data_dict, key).owner_org, context,
                   tk._("Only the ROD of the producer may change or run its harvest sources"))


@tk.chained_auth_function
def harvest_source_update(next_auth, context, data_dict):
    """Changing, deleting, clearing or reindexing a harvest source: a sysadmin or its producer's
    ROD (ckanext-harvest: anyone who may edit a dataset of the producer)."""
    return _source_rule(context, data_dict)


harvest_source_delete = harvest_source_clear = harvest_source_reindex = harvest_source_update


@tk.chained_auth_function
def harvest_job_create(next_auth, context, data_dict):
    return _source_rule(context, data_dict, key="source_id")


@tk.chained_auth_function
def harvest_send_job_to_gather_queue(next_auth, context, data_dict):
    job = HarvestJob.get(data_dict.get("id")) if isinstance(data_dict.get("id"), str) else None
    if job is None:
        raise tk.ObjectNotFound(tk._("Harvest job not found"))
    return _source_rule(context, {"id": job.source_id})


@tk.chained_auth_function
def package_update(next_auth, context, data_dict):
    """A harvest source is a package to CKAN: its producer's GdDs could edit it (and what it
    harvests) through package_update. Only its ROD or a sysadmin may."""
    package = context.get("package")
    if package is None:
        ref = data_dict.get("id") or data_dict.get("name")
        package = model.Package.get(ref) if isinstance(ref, str) else None
    if package is not None and package.type == "harvest":
        return _rod_of(package.owner_org, context,
                       tk._("Only the ROD of the producer may change or run its harvest sources"))
    return next_auth(context, data_dict)


# --- accounts ----------------------------------------------------------------------------------


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def user_show(next_auth, context, data_dict):
    """An account (name, e-mail, sysadmin flag: personal data, loi 09-08) is read by its owner,
    sysadmins, and the RODs of the producers it belongs to; core (with
    ``ckan.auth.public_user_details`` false) lets any signed-in user read any account."""
    user = context.get("user")
    if not user:
        return {"success": False, "msg": tk._("Accounts are not public")}
    if authz.is_sysadmin(user):
        return {"success": True}
    target = data_dict.get("user_obj") or context.get("user_obj")
    ref = data_dict.get("id") or data_dict.get("name")
    if target is None and isinstance(ref, str):
        target = model.User.get(ref)
    if target is None:
        return next_auth(context, data_dict)  # core's answer for an unknown account
    me = context.get("auth_user_obj") or model.User.get(user)
    if me is not None and me.id == target.id:
        return {"success": True}
    if me is not None and _shares_a_producer_as_rod(me, target):
        return {"success": True}
    return {"success": False, "msg": tk._("Accounts are not public")}


def _shares_a_producer_as_rod(rod, user):
    administered = {g.id for g in rod.get_groups("organization", "admin")}
    return bool(administered & {g.id for g in user.get_groups("organization")})


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def user_list(next_auth, context, data_dict):
    """The list of accounts is for sysadmins (core shows it to anyone signed in)."""
    user = context.get("user")
    if user and authz.is_sysadmin(user):
        return {"success": True}
    return {"success": False, "msg": tk._("Accounts are not public")}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def user_autocomplete(next_auth, context, data_dict):
    """RODs find the accounts they add to their producer's members (core asks user_list)."""
    user = context.get("user")
    me = context.get("auth_user_obj") or (model.User.get(user) if user else None)
    if me is not None and (me.sysadmin or me.get_groups("organization", "admin")):
        return {"success": True}
    return {"success": False, "msg": tk._("Accounts are not public")}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_collaborator_list(next_auth, context, data_dict):
    """Collaborators are listed to those who manage them; a visitor who is not signed in is
    refused (core looked their rights up with no user and answered 500)."""
    if not context.get("user"):
        return {"success": False, "msg": tk._("Sign in to see who collaborates on a dataset")}
    return next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def harvest_object_show(next_auth, context, data_dict):
    """A harvested record as the source sent it: readable by whoever may read the dataset it
    became; otherwise only by a sysadmin or the ROD of the source's producer (ckanext-harvest:
    anyone, withdrawn datasets' records included)."""
    ref = data_dict.get("id")
    found = HarvestObject.get(ref) if isinstance(ref, str) else None
    if found is None:
        return next_auth(context, data_dict)  # ckanext-harvest's answer for an unknown record
    if found.package_id and publication.readable_ids(context.get("user"), [found.package_id]):
        return {"success": True}
    source = model.Package.get(found.harvest_source_id) if found.harvest_source_id else None
    return _rod_of(source.owner_org if source is not None else None, context,
                   tk._("Only the ROD of the producer may read this harvested record"))


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def harvest_object_list(next_auth, context, data_dict):
    """The records of a harvest source: a sysadmin or the ROD of its producer."""
    return _source_rule(context, {"id": data_dict.get("source_id")})


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def organization_list_for_user(next_auth, context, data_dict):
    """Which producers an account belongs to, and as what (who is ROD where): the account itself,
    sysadmins, and the RODs of a producer it belongs to (core: anyone)."""
    ref = data_dict.get("id")
    if not ref:
        return {"success": True}  # one's own producers (none for a visitor)
    return authz.is_authorized("user_show", context, {"id": ref})
