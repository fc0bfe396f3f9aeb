"""Web routes of our own: the home page, the dataset page's route, the review panel's buttons,
region and province pages (and their RDF), and the key figures page."""

import datetime as dt

import ckan.plugins.toolkit as tk
from ckan.views import dataset as core_dataset
from ckanext.dcat import utils as dcat_utils
from flask import Blueprint, make_response, redirect, request

from . import dcat_profile, portal, reference

__all__ = ["datagovma_portal", "datagovma_review"]

# Two concerns: the citizens' portal's pages, and the review's buttons. Registered before core's
# and ckanext-dcat's blueprints (CKAN registers plugins' blueprints in the order of ckan.plugins,
# core's last), so "/" and "/dataset/<id>" are served here.
datagovma_portal = Blueprint("datagovma_portal", __name__)
datagovma_review = Blueprint("datagovma_review", __name__)

RDF_FORMATS = {"ttl": ("turtle", "text/turtle"), "rdf": ("xml", "application/rdf+xml"),
               "xml": ("xml", "application/rdf+xml"), "jsonld": ("json-ld", "application/ld+json")}

ACTIONS = {
    "submit": "datagovma_dataset_submit",
    "publish": "datagovma_dataset_publish",
    "return": "datagovma_dataset_return",
    "withdraw": "datagovma_dataset_withdraw",
}
DONE = {
    "submit": "The dataset was submitted to the ROD for review",
    "publish": "The dataset is published",
    "return": "The dataset was sent back to its GdD",
    "withdraw": "The publication is withdrawn: the dataset is no longer public",
}


@datagovma_portal.route("/", strict_slashes=False)
def home():
    """The home page (templates/home/index.html). Its key figures, themes, regions and lists come
    from its own helpers; core's home view first searched four datasets and five facets that this
    page does not show (a faceted search over every dataset at each visit). Core's notice to a
    logged-in user with no e-mail address stays, in core's words."""
    user = tk.current_user
    if user.is_authenticated and not user.email:
        url = tk.h.url_for("user.edit")
        tk.h.flash_notice(
            tk._('Please <a href="%s">update your profile</a> and add your email address. ') % url
            + tk._("%s uses your email address if you need to reset your password.") % tk.config.get("ckan.site_title"),
            allow_html=True)
    return tk.render("home/index.html", extra_vars={})


@datagovma_portal.route("/dataset/<id>")
def read(id):
    """A dataset's page, or its DCAT record when the Accept header asks for RDF (ckanext-dcat's
    content negotiation, which owned this route). ckanext-dcat looked the dataset up in PostgreSQL
    (by id, then by name: two queries) only to learn its type before core's page looked it up
    again; a dataset under /dataset/ is of type ``dataset``, as core's own route says, and core's
    page takes the type of the dataset it finds for its templates."""
    rdf_format = dcat_utils.check_access_header()
    if rdf_format:
        return dcat_utils.read_dataset_page(id, rdf_format)
    return core_dataset.read("dataset", id)


@datagovma_review.route("/dataset/<id>/review/<transition>", methods=["POST"])
def review(id, transition):
    """Runs one transition of the review as the logged-in user, then shows the dataset."""
    if transition not in ACTIONS:
        tk.abort(404, tk._("Unknown review step"))
    context = {"user": tk.current_user.name}
    try:
        dataset = tk.get_action(ACTIONS[transition])(context, {"id": id, "comment": request.form.get("comment", ""),
                                                               "reason": request.form.get("reason", "")})
    except tk.NotAuthorized:
        tk.abort(403, tk._("You may not do this to this dataset"))
    except tk.ObjectNotFound:
        tk.abort(404, tk._("Dataset not found"))
    except tk.ValidationError as error:
        messages = [m for field in error.error_dict.values() for m in (field if isinstance(field, list) else [field])]
        tk.h.flash_error(" ".join(str(m) for m in messages))
        return tk.h.redirect_to("dataset.read", id=id)
    tk.h.flash_success(tk._(DONE[transition]))
    return tk.h.redirect_to("dataset.read", id=dataset["name"])


def _place(kind, code, fmt=None):
    """A region or province: its page (its datasets), or its RDF (labels in French and Arabic,
    code) at the same URI by extension or content negotiation; these are the URIs dct:spatial
    points to."""
    places = reference.regions() if kind == "region" else reference.provinces()
    if code not in places:
        tk.abort(404, tk._("Unknown region: {0} (use the codes MA-01 to MA-12)").format(code)
                 if kind == "region" else tk._("Unknown province: {0}").format(code))
    if fmt is None:
        accept = request.headers.get("Accept", "")
        fmt = next((ext for ext, (_, mime) in RDF_FORMATS.items() if mime in accept), None)
    if fmt is not None:
        if fmt not in RDF_FORMATS:
            tk.abort(404, tk._("Unknown format: {0}").format(fmt))
        rdf_format, mime = RDF_FORMATS[fmt]
        body = dcat_profile.region_graph(code).serialize(format=rdf_format)
        return make_response((body, 200, {"Content-Type": f"{mime}; charset=utf-8"}))
    # the place's page is the list of its datasets, with the facets of the search page (whose
    # pager, sort and filter links all keep the place): 303, a document about the place
    field = "regions" if kind == "region" else "provinces"
    return redirect(tk.h.url_for("dataset.search", **{field: code}), code=303)


@datagovma_portal.route("/region/<code>")
@datagovma_portal.route("/region/<code>.<fmt>")
def region(code, fmt=None):
    return _place("region", code, fmt)


@datagovma_portal.route("/province/<code>")
@datagovma_portal.route("/province/<code>.<fmt>")
def province(code, fmt=None):
    if fmt is not None and f"{code}.{fmt}" in reference.provinces():  # province codes hold a dot
        code, fmt = f"{code}.{fmt}", None
    return _place("province", code, fmt)


@datagovma_portal.route("/chiffres-cles")
def key_figures():
    """Totals, and the published datasets by theme, region, producer, format and licence as bar
    charts (HTML and CSS drawn here: no script, no outside service), with the most viewed datasets."""
    figures = portal.key_figures()
    licences = portal.choice_labels("license_id")

    charts = [
        ("themes", tk._("Datasets by theme"), portal.chart(
            figures["themes"], portal.theme_name, lambda slug: tk.h.url_for("dataset.search", themes=slug))),
        ("regions", tk._("Datasets by region"), portal.chart(
            [(code, figures["regions"].get(code, 0)) for code in reference.regions()], portal.place_name,
            lambda code: tk.h.url_for("dataset.search", regions=code))),
        ("producers", tk._("Datasets by producer"), portal.chart(
            figures["by_producer"], portal.producer_name, lambda name: tk.h.url_for("organization.read", id=name))),
        ("formats", tk._("Datasets by format"), portal.chart(
            figures["by_format"], None, lambda fmt: tk.h.url_for("dataset.search", res_format=fmt))),
        ("licences", tk._("Datasets by licence"), portal.chart(
            figures["by_licence"], lambda lid: licences.get(lid, lid),
            lambda lid: tk.h.url_for("dataset.search", license_id=lid))),
    ]
    return tk.render("datagovma/key_figures.html", {"figures": figures, "charts": charts,
                                                     "most_viewed": portal.most_viewed()})


def check_catalog_parameters():
    """before_request: a malformed ``page`` or ``modified_since`` on the DCAT catalog endpoints is
    a 400 with a message (ckanext-dcat would answer 409 or 500)."""
    if not (request.endpoint or "").startswith("dcat."):
        return None
    page = request.args.get("page")
    if page is not None and (not page.isdigit() or int(page) < 1):
        tk.abort(400, tk._("The page must be a whole number from 1 (page={0})").format(page))
    since = request.args.get("modified_since")
    if since is not None:
        try:
            dt.datetime.fromisoformat(since.replace("Z", "+00:00"))
        except ValueError:
            tk.abort(400, tk._("modified_since must be a date such as 2024-01-31 or 2024-01-31T12:00:00Z "
                               "(modified_since={0})").format(since))
    return None
