"""The portal's JavaScript and CSS bundles checked against their sources once per process.

CKAN's webassets environment has ``auto_build`` on: every ``{% asset %}`` of every page stats each
source file of the bundle and its built file to decide whether to rebuild it (about 130 ``stat``
calls and 3 ms of CPU per page of the portal). A running portal's asset files change only with a
deploy, and a deploy restarts its processes. So when a process starts, each bundle is built if it
is missing or older than its sources (what the first page would have done) and its versioned URL
is kept; pages then only read it. With ``debug = true`` in the ini, CKAN's check at every page
stays, for a developer editing JavaScript without restarting.
"""

import logging

import ckan.plugins.toolkit as tk
from ckan.lib import webassets_tools

log = logging.getLogger(__name__)


def build_once():
    """Build what is stale and stop checking at each page; returns the number of bundles checked,
    or None when CKAN's per-page check stays (debug, or a bundle that does not build)."""
    env = webassets_tools.env
    if env is None or env.debug or not env.auto_build or tk.asbool(tk.config.get("debug")):
        return None
    bundles = list(env)
    for bundle in bundles:
        try:
            bundle.urls()  # builds if stale, and remembers the version in its URL
        except Exception as error:  # noqa: BLE001 - any build failure: leave CKAN's behaviour
            log.warning("asset bundle %s does not build (%s); assets stay checked at each page",
                        bundle.output, error)
            return None
    env.auto_build = False
    return len(bundles)
