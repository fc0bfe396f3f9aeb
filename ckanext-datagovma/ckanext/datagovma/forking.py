"""A CKAN process that forks must not share its parent's database connections.

`ckan search-index rebuild-fast` forks one indexing process per core after CKAN has started and
used the database; each child inherits the parent's pooled PostgreSQL socket and session, so two
processes talk over one socket and both read each other's rows ("error with status PGRES_TUPLES_OK",
KeyError in TrackingSummary). In a forked child, the parent's pool and session are set aside
untouched and the child opens its own connection on first use. They are kept referenced, never
closed: closing a psycopg2 connection sends PostgreSQL a Terminate over the socket the parent still
uses (multiprocessing's children leave with os._exit, so nothing closes them on the way out).
"""

import os

from ckan import model

_set_aside = []
_registered = False


def register():
    """Called once at start-up (IConfigurable): every later fork gets fresh connections."""
    global _registered
    if not _registered:
        os.register_at_fork(after_in_child=fresh_connections_in_child)
        _registered = True


def fresh_connections_in_child():
    engine = model.meta.engine
    if engine is None:
        return
    registry = model.Session.registry
    if registry.has():
        _set_aside.append(registry())
        registry.clear()
    _set_aside.append(engine.pool)
    engine.dispose(close=False)
