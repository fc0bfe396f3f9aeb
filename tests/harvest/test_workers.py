"""A fetch worker killed in the middle of a job: after a new worker starts and the scheduler
passes, every indicator has exactly one dataset (none lost, none duplicated) and the job finishes.
Real consumer processes on Redis, the test database and the search service."""

import datetime as dt

import pytest
from ckan import model
from ckanext.harvest import queue

from ckanext.datagovma.harvesters import schedule

from . import jobs as h
from . import workers
from .hcp_simulator import Simulator

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", h.HARVEST_PLUGINS),
    pytest.mark.ckan_config("ckanext.datagovma.fetch.allowed_hosts", "127.0.0.1"),
    pytest.mark.usefixtures("portal"),
]
COUNT = 30


@pytest.fixture
def consumers(request, tmp_path):
    """Starts consumer processes on demand; kills what is left at the end of the test."""
    queue.purge_queues()
    ini = workers.write_ini(str(tmp_path / "consumers.ini"), request.config.option.ckan_ini, h.HARVEST_PLUGINS,
                            **{"ckanext.datagovma.fetch.allowed_hosts": "127.0.0.1"})
    started = []

    def start(kind):
        started.append(workers.Consumer(ini, kind))
        return started[-1]

    yield start
    for consumer in started:
        consumer.kill()
    queue.purge_queues()


def age_in_flight_markers(minutes):
    """ckanext-harvest marks each message a consumer took; `harvester run` sends it again when the
    mark is older than 3 minutes. The marks are made that old instead of waiting."""
    redis = queue.get_connection()
    for key in redis.keys(queue.get_fetch_routing_key() + ":*"):
        redis.set(key, str(dt.datetime.now() - dt.timedelta(minutes=minutes)))


def test_a_fetch_worker_killed_mid_job_loses_nothing_and_duplicates_nothing(portal, consumers):
    server = Simulator(count=COUNT).start()
    server.catalogue.delay = 0.3  # slow enough to kill the worker in the middle of the job
    try:
        source = portal["sysadmin"].ok("harvest_source_create", name="hcp-workers", title="HCP", url=server.url,
                                       source_type="hcp", frequency="MANUAL", owner_org="haut-commissariat-au-plan")
        consumers("gather")
        first = consumers("fetch")
        job = portal["sysadmin"].ok("harvest_job_create", source_id=source["id"], run=True)
        workers.wait_for(lambda: len(workers.objects_of(job["id"], "COMPLETE")) >= 5
                         and workers.objects_of(job["id"], "FETCH"), 120, every=0.05,
                         what="five indicators imported and a sixth being fetched")
        first.kill()
        assert len(workers.objects_of(job["id"], "FETCH")) == 1  # killed with a record in its hands
        assert len(workers.objects_of(job["id"], "COMPLETE")) < COUNT
        consumers("fetch")
        age_in_flight_markers(minutes=4)

        def finished():
            schedule.run_once()
            return workers.job_status(job["id"]) == "Finished"

        workers.wait_for(finished, 240, every=2, what="the job to finish after the restart")
    finally:
        server.shutdown()
        server.server_close()
    model.Session.remove()
    names = [name for (name,) in model.Session.query(model.Package.name).filter(
        model.Package.name.like("hcp-i%"), model.Package.state == "active")]
    assert sorted(names) == sorted(f"hcp-i{1000 + i}" for i in range(COUNT))  # none lost, none twice
    states = {o.state for o in workers.objects_of(job["id"])}
    assert states == {"COMPLETE"}, states
    assert portal["anonymous"].ok("package_search", q="organization:haut-commissariat-au-plan",
                                  rows=0)["count"] == COUNT
    status = portal["sysadmin"].ok("harvest_source_show_status", id=source["id"])
    assert status["last_job"]["status"] == "Finished"
    assert status["total_datasets"] == COUNT
