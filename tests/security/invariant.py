"""The publication invariant as the tests see it from outside: a dataset is public (anonymous
visitors can read it and find it) if and only if it is published, active and publishable."""

from ckan import model

from ckanext.datagovma import publication


def broken():
    """Every dataset of the database and every document of the search index that breaks the
    invariant, as ``ckan datagovma check`` reports them (an empty list when all is well)."""
    return publication.check()


def assert_holds():
    problems = broken()
    assert problems == [], problems


def public_names():
    """Names of the datasets an anonymous visitor may read, from the database itself."""
    rows = model.Session.query(model.Package.name).filter(
        model.Package.private.is_(False), model.Package.state == "active")
    return {name for (name,) in rows}
