"""Validators of the portal's schemas (schemas/*.yaml): multilingual text, reference lists,
coverage, dates, licences and the legal rules of publication (lois 31-13, 09-08, 05-20).

Messages are translatable and say what to do; a failing validator leaves nothing written."""

import json

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.navl.dictization_functions import StopOnError, missing
from ckanext.scheming.validation import scheming_validator

from .. import multilingual, portal, publication, reference

__all__ = [
    "datagovma_multilingual_text",
    "datagovma_multilingual_output",
    "datagovma_fill_from_translated",
    "datagovma_reference_choices",
    "datagovma_spatial_coverage",
    "datagovma_temporal_end",
    "datagovma_open_licence",
    "datagovma_personal_data",
    "datagovma_publication_status",
    "datagovma_region",
    "datagovma_resource_format",
]

LANGUAGES = multilingual.LANGUAGES
PERSONAL_DATA = publication.PERSONAL_DATA

# Normalised resource formats: what GdDs type -> what the portal shows and DCAT maps.
FORMATS = {
    "csv": "CSV", "json": "JSON", "xml": "XML", "xlsx": "XLSX", "xls": "XLS", "ods": "ODS", "pdf": "PDF",
    "geojson": "GeoJSON", "shp": "SHP", "shapefile": "SHP", "zip": "ZIP", "txt": "TXT", "docx": "DOCX",
    "odt": "ODT", "html": "HTML", "api": "API", "kml": "KML", "rdf": "RDF", "ttl": "TTL", "jsonld": "JSON-LD",
}


@scheming_validator
def datagovma_multilingual_text(field, schema):
    """{"fr": ..., "ar": ..., "zgh": ...} from a dict, a JSON string, the form's one input per
    language (``<field>-fr``) or today's data.gov.ma keys (``title_fr``, ``title_ar``)."""
    name = field["field_name"]
    base = name[: -len("_translated")] if name.endswith("_translated") else name
    required = field.get("required")

    def validator(key, data, errors, context):
        value = data.get(key)
        prefix = key[:-1]
        extras = data.get(prefix + ("__extras",), {})
        parsed = multilingual.parse(None if value is missing else value)  # a plain string is French
        if parsed is None:
            errors[key].append(tk._("Give one text per language, as {\"fr\": \"...\", \"ar\": \"...\"}"))
            return
        value = dict(parsed)
        for lang in LANGUAGES:
            for candidate in (f"{name}-{lang}", f"{base}_{lang}"):
                flat = prefix + (candidate,)
                given = data.pop(flat, None) if flat in data else extras.pop(candidate, None)
                if given not in (None, missing, "") and not value.get(lang):
                    value[lang] = given
        unknown = sorted(set(value) - set(LANGUAGES) - {"en"})
        if unknown:
            errors[key].append(tk._("Unknown language: {0} (use fr, ar or zgh)").format(", ".join(unknown)))
            return
        cleaned = {}
        for lang, text in value.items():
            if not isinstance(text, str):
                errors[key].append(tk._("The {0} text must be a string").format(lang))
                return
            if text.strip():
                cleaned[lang] = text.strip()
        if required and not (cleaned.get("fr") or cleaned.get("ar")):
            errors[key].append(tk._("Give this in French or in Arabic (at least one of the two)"))
            return
        if not cleaned:
            data.pop(key, None)
            raise StopOnError
        data[key] = json.dumps(cleaned, ensure_ascii=False)
        core = prefix + (base,)
        if base != name and data.get(core) in (None, missing, ""):
            data[core] = multilingual.first_text(cleaned)[1]

    return validator


def datagovma_multilingual_output(value):
    """The stored JSON string back to a dict."""
    parsed = multilingual.parse(value)
    return parsed if parsed is not None else value


@scheming_validator
def datagovma_fill_from_translated(field, schema):
    """CKAN's own title/notes/name stay filled for the core (its search sort, DCAT, schema.org,
    page titles): the first available language of the multilingual field named by
    ``source_field``, which they follow when it changes (a package_patch of ``title_translated``
    carries the old ``title`` along); what was given is kept only when that field has no text."""
    source = field.get("source_field")

    def validator(key, data, errors, context):
        text = multilingual.first_text(multilingual.as_dict(data.get(key[:-1] + (source,))))[1]
        if text:
            data[key] = text

    return validator


def _as_list(value):
    if value in (None, missing, ""):
        return []
    if isinstance(value, str):
        if value.startswith("["):
            try:
                return list(json.loads(value))
            except ValueError:
                pass
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


@scheming_validator
def datagovma_reference_choices(field, schema):
    """A list of codes from the reference data named by the field's ``reference`` (themes,
    regions, provinces), stored as JSON."""
    kind = field["reference"]
    lookup = {"themes": reference.themes, "regions": reference.regions, "provinces": reference.provinces}[kind]
    messages = {
        "themes": tk._("Unknown theme: {0}"),
        "regions": tk._("Unknown region: {0} (use the codes MA-01 to MA-12)"),
        "provinces": tk._("Unknown province: {0}"),
    }

    def validator(key, data, errors, context):
        values = _as_list(data.get(key))
        unknown = [v for v in values if v not in lookup()]
        if unknown:
            errors[key].append(messages[kind].format(", ".join(map(str, unknown))))
            return
        if field.get("required") and not values:
            errors[key].append(tk._("Choose at least one"))
            return
        if not values:
            data.pop(key, None)
            raise StopOnError
        data[key] = json.dumps(sorted(set(values)))

    return validator


def datagovma_spatial_coverage(key, data, errors, context):
    """National coverage has no regions; regional coverage names at least one region, and the
    provinces given belong to the regions chosen."""
    coverage = data.get(key)
    if coverage not in ("national", "regional"):
        errors[key].append(tk._("Choose national or regional coverage"))
        return
    regions = _as_list(data.get(key[:-1] + ("regions",)))
    provinces = _as_list(data.get(key[:-1] + ("provinces",)))
    if coverage == "national" and (regions or provinces):
        errors[key].append(tk._("A national dataset has no regions or provinces: choose regional coverage"))
    if coverage == "regional" and not regions:
        errors[key[:-1] + ("regions",)].append(tk._("Choose the regions a regional dataset covers"))
    known = reference.provinces()
    outside = [p for p in provinces if p in known and known[p]["region"] not in regions]
    if outside:
        errors[key[:-1] + ("provinces",)].append(
            tk._("These provinces are outside the chosen regions: {0}").format(", ".join(outside)))


def datagovma_temporal_end(key, data, errors, context):
    end = data.get(key)
    start = data.get(key[:-1] + ("temporal_start",))
    if end in (None, missing, "") or start in (None, missing, ""):
        return
    if str(end)[:10] < str(start)[:10]:
        errors[key].append(tk._("The end of the period ({0}) is before its start ({1})").format(
            str(end)[:10], str(start)[:10]))


def datagovma_open_licence(key, data, errors, context):
    value = data.get(key)
    accepted = [choice["value"] for choice in portal.choices("license_id")]
    if value not in accepted:
        errors[key].append(tk._("The licence {0} is not an open licence accepted by the portal; choose one of: {1}")
                           .format(value, ", ".join(accepted)))


def datagovma_personal_data(key, data, errors, context):
    """Personal data (loi 09-08) that is not anonymised needs the CNDP authorisation's reference."""
    reference_key = key[:-1] + ("cndp_reference",)
    if data.get(key) == PERSONAL_DATA and data.get(reference_key) in (None, missing, ""):
        errors[reference_key].append(
            tk._("A dataset that contains personal data needs the reference of the CNDP authorisation"))


def datagovma_publication_status(key, data, errors, context):
    """The review owns this field and the dataset's visibility: the review actions move the
    status, and only a reviewer (the ROD of the producer, a sysadmin, or the review actions
    themselves) may set it, or ask for a visibility that its status does not give (``private``
    false publishes, ``private`` true withdraws a publication). Anyone else asking gets an
    error saying so; a value equal to the current one (what package_show answered, sent back)
    is no request. The visibility then follows from the status (publication.py enforces it on
    every write)."""
    prefix = key[:-1]
    package = context.get("package")
    current = ((package.extras or {}).get("publication_status") if package is not None else None) or "draft"
    asked = data.get(key)
    asked = None if asked in (None, missing, "") else asked
    private_key = prefix + ("private",)
    asked_private = data.get(private_key)
    try:
        asked_private = None if asked_private in (None, missing, "") else tk.asbool(asked_private)
    except ValueError:
        errors[private_key].append(tk._("private must be true or false"))
        return
    if package is not None and context.get("ignore_auth") and not context.get("datagovma_workflow"):
        # A write of the portal's own (a harvest, a command) never changes the publication of a
        # dataset that exists: a re-harvest does not undo the ROD's withdrawal.
        asked = asked_private = None
    target = current
    owner = data.get(prefix + ("owner_org",))
    if package is not None and owner not in (None, missing, "") and owner != package.owner_org \
            and not _is_sysadmin(context):
        # Moved to another producer: what that producer's ROD has not reviewed is not public there.
        target = "draft"
    if asked is not None and asked != current:
        if asked not in publication.STATUSES:
            errors[key].append(tk._("Unknown publication status: {0}").format(asked))
            return
        if not _is_reviewer(data, prefix, context):
            errors[key].append(tk._("Only the ROD of the producer publishes or withdraws a dataset: "
                                    "submit it for review"))
            return
        target = asked
    elif asked_private is not None and asked_private != (current != "published"):
        if not _is_reviewer(data, prefix, context):
            errors[private_key].append(
                tk._("Only the ROD of the producer can withdraw a publication") if asked_private else
                tk._("A dataset becomes public when the ROD of its producer publishes it: submit it for review"))
            return
        target = "withdrawn" if asked_private else "published"
    if target == "published":
        refused = publication.refusal(data.get(prefix + ("classification",)), data.get(prefix + ("personal_data",)))
        if refused:
            errors[prefix + (refused[0],)].append(refused[1])
            return
        if data.get(prefix + ("state",)) == "draft":
            errors[prefix + ("state",)].append(
                tk._("A published dataset cannot go back to draft: the ROD of its producer withdraws it"))
            return
    data[key] = target
    data[private_key] = target != "published"


def _is_reviewer(data, prefix, context):
    """The review actions, a sysadmin, or the ROD (organization admin) of the producer the dataset
    will have (the one given, else its current one)."""
    if context.get("datagovma_workflow") or _is_sysadmin(context):
        return True
    user = context.get("user")
    package = context.get("package")
    owner = data.get(prefix + ("owner_org",))
    if owner in (None, missing, "") and package is not None:
        owner = package.owner_org
    return bool(user and owner and owner is not missing
                and authz.has_user_permission_for_group_or_org(owner, user, "admin"))


def _is_sysadmin(context):
    user = context.get("auth_user_obj")
    if user is None and context.get("user"):
        user = model.User.get(context["user"])
    return bool(getattr(user, "sysadmin", False))


def datagovma_region(value, context):
    if value and value not in reference.regions():
        raise tk.Invalid(tk._("Unknown region: {0} (use the codes MA-01 to MA-12)").format(value))
    return value


def datagovma_resource_format(value, context):
    if not value:
        return value
    return FORMATS.get(value.strip().lower().lstrip("."), value.strip().upper())
