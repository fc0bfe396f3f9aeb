"""Fixtures of the metadata tests: see tests/portal_fixtures.py."""

from ..portal_fixtures import Api, complete_dataset, portal  # noqa: F401
