"""The WSGI application gunicorn serves: CKAN configured from the ini file named by CKAN_INI."""

import os

from ckan.cli import load_config
from ckan.config.middleware import make_app

application = make_app(load_config(os.environ.get("CKAN_INI")))
