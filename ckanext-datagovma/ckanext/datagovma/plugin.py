"""The datagovma plugin: wires CKAN interfaces to the modules next to it; no logic lives here.

  logic/validators.py  schema validators     logic/action.py  review actions; the door to publication
  logic/auth.py        who may review, harvest, read accounts   helpers.py  template helpers
  publication.py       the publication invariant (public iff published), enforced on every write
  security.py          CSRF exemptions for one request, security headers, NUL and deep JSON refused
  speedups.py          optional speed-ups over core (plugin datagovma_speedups, below)
  indexing.py          search documents       cli.py           `ckan datagovma`
  uploads.py           checks on uploaded files   views.py      review buttons' routes
  portal.py            facets, key figures, language links of the citizens' portal
  reference.py         regions, provinces, themes and producers (data/*.csv)
  preview.py           the CSV/JSON preview (plugin datagovma_preview, below)
  forking.py           fresh database connections in forked processes (search-index rebuild-fast)
  tracking.py          page views and downloads read per list (plugin datagovma_tracking, below)
  assets.py            JavaScript and CSS bundles checked once per process, not at every page
"""

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation
from ckanext.tracking.plugin import TrackingPlugin

from . import assets, forking, indexing, portal, preview, publication, security, speedups, tracking, uploads, views


@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.helpers
@tk.blanket.validators
@tk.blanket.cli
@tk.blanket.config_declarations
@tk.blanket.blueprints
class DatagovmaPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.INotifier, inherit=True)

    # IConfigurer

    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")

    # IConfigurable

    def configure(self, config):
        forking.register()
        publication.register()

    # IMiddleware

    def make_middleware(self, app, config):
        if hasattr(app, "after_request"):  # the Flask application
            app.before_request(security.refuse_bad_input)
            security.scope_csrf_exemptions(app)
            app.after_request(security.add_headers)
            app.after_request(uploads.safe_download_headers)
            app.before_request(views.check_catalog_parameters)
            app.before_request(portal.normalise_search_parameters)
            assets.build_once()
        return app

    # INotifier

    def notify_about_topic(self, notification_sent, topic, data):
        if topic == "request_password_reset" and not notification_sent:
            security.send_reset_link(data["user"])
            return True
        return notification_sent

    # IPackageController

    def before_dataset_index(self, pkg_dict):
        return indexing.before_dataset_index(pkg_dict)

    def before_dataset_search(self, search_params):
        return indexing.before_dataset_search(search_params)

    def after_dataset_search(self, search_results, search_params):
        return portal.label_facets(search_results)

    # IFacets

    def dataset_facets(self, facets_dict, package_type):
        return portal.dataset_facets()

    def organization_facets(self, facets_dict, organization_type, package_type):
        return portal.dataset_facets()

    def group_facets(self, facets_dict, group_type, package_type):
        return portal.dataset_facets()

    # IResourceController

    def before_resource_create(self, context, resource):
        uploads.check_upload(resource)

    def before_resource_update(self, context, current, resource):
        uploads.check_upload(resource)


class DatagovmaSpeedupsPlugin(p.SingletonPlugin):
    """The same answers as CKAN's for less work on the busiest pages (speedups.py); optional:
    the portal runs the same without it."""

    p.implements(p.IActions)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IMiddleware, inherit=True)

    # IActions

    def get_actions(self):
        return speedups.actions()

    # ITemplateHelpers

    def get_helpers(self):
        return speedups.helpers()

    # IMiddleware

    def make_middleware(self, app, config):
        if hasattr(app, "before_request"):  # the Flask application
            app.before_request(speedups.start_request_memory)
        return app


class DatagovmaPreviewPlugin(p.SingletonPlugin):
    """A resource view: the first rows of a CSV or JSON file stored by the portal, as a table."""

    p.implements(p.IConfigurer)
    p.implements(p.IResourceView, inherit=True)

    # IConfigurer

    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    # IResourceView

    def info(self):
        return {"name": "datagovma_preview", "title": tk._("Preview"), "default_title": tk._("Preview"),
                "icon": "table", "iframed": False, "always_available": False, "requires_datastore": False}

    def can_view(self, data_dict):
        return preview.previewable(data_dict["resource"])

    def setup_template_variables(self, context, data_dict):
        return {"preview": preview.preview(data_dict["resource"]), "max_rows": preview.MAX_ROWS}

    def view_template(self, context, data_dict):
        return "datagovma/preview.html"


class DatagovmaTrackingPlugin(TrackingPlugin):
    """CKAN's tracking plugin (beacon, `ckan tracking`, popularity, its tables and templates), with
    the counts of a search page or a dataset read in two queries instead of one per dataset and per
    resource, and an answer to the beacon (core's has no route: the page's POST /_tracking got a
    405 from the static files' route, after its after_request hook had recorded the view). Loaded
    in place of `tracking`; `ckan datagovma migrate-tracking` applies its tables' migrations."""

    p.implements(p.IBlueprint)

    # IBlueprint

    def get_blueprint(self):
        return [tracking.beacon]

    # ITemplateHelpers

    def get_helpers(self):
        return dict(super().get_helpers(), popular=tracking.popular)

    # IPackageController

    def after_dataset_show(self, context, pkg_dict):
        tracking.add_summaries([pkg_dict])
        return pkg_dict

    def after_dataset_search(self, search_results, search_params):
        tracking.add_summaries(search_results["results"])
        return search_results

    def before_dataset_index(self, pkg_dict):
        return tracking.index_fields(pkg_dict)
