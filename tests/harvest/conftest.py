"""Fixtures of the harvest tests."""

import pytest


@pytest.fixture
def served():
    """Starts local source servers; each is stopped at the end of the test."""
    started = []

    def start(server):
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()
