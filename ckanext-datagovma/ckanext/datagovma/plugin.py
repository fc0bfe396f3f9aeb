"""The datagovma plugin: wires CKAN interfaces to the modules next to it; no logic lives here.

  logic/validators.py  schema validators     logic/action.py  review actions
  logic/auth.py        who may review         helpers.py       template helpers
  indexing.py          search documents       cli.py           `ckan datagovma`
  reference.py         regions, provinces, themes and producers (data/*.csv)
"""

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from . import indexing


@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.helpers
@tk.blanket.validators
@tk.blanket.cli
class DatagovmaPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer

    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")

    # IPackageController

    def before_dataset_index(self, pkg_dict):
        return indexing.before_dataset_index(pkg_dict)

    def before_dataset_search(self, search_params):
        return indexing.before_dataset_search(search_params)
