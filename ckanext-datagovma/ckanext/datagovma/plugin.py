"""The datagovma plugin: wires CKAN interfaces to the modules next to it; no logic lives here."""

import ckan.plugins as p
import ckan.plugins.toolkit as tk


class DatagovmaPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    # IConfigurer

    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
