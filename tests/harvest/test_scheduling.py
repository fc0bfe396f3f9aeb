"""Harvest scheduling (frequencies, HOURLY included; the scheduler's pass; jobs that time out), the
"run now" button of the web interface, and what the harvest pages show per source and per job."""

import datetime as dt
import re

import pytest
from ckan import model
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestSource
from ckanext.harvest.tests.factories import HarvestJobObj, HarvestSourceObj
from ckanext.harvest.tests.lib import run_harvest_job

from ckanext.datagovma.harvesters import schedule
from ckanext.datagovma.harvesters.hcp import HCPHarvester

from . import jobs as h
from .hcp_simulator import Simulator

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", h.HARVEST_PLUGINS),
    pytest.mark.ckan_config("ckanext.datagovma.fetch.allowed_hosts", "127.0.0.1"),
    pytest.mark.usefixtures("portal"),
]


@pytest.fixture
def empty_queues():
    """The scheduler really queues jobs on Redis: the queues are emptied before and after."""
    queue.purge_queues()
    yield
    queue.purge_queues()


def create_source(portal, name, frequency, url="http://127.0.0.1:8999"):
    return portal["sysadmin"].ok(
        "harvest_source_create", name=name, title=name, url=url, source_type="hcp", frequency=frequency,
        owner_org="haut-commissariat-au-plan")


def jobs_of(source):
    return model.Session.query(HarvestJob).filter(HarvestJob.source_id == source["id"]).all()


def test_sources_may_run_hourly_and_an_unknown_frequency_is_refused(portal):
    assert create_source(portal, "hourly", "HOURLY")["frequency"] == "HOURLY"
    error = portal["sysadmin"].call("harvest_source_create", status=409, name="every-minute", title="x",
                                    url="http://127.0.0.1:8999", source_type="hcp", frequency="EVERY-MINUTE",
                                    owner_org="haut-commissariat-au-plan")["error"]
    assert "EVERY-MINUTE not recognised" in str(error["frequency"])


def test_the_scheduler_starts_due_sources_once_and_leaves_manual_ones(portal, empty_queues):
    hourly = create_source(portal, "hourly", "HOURLY")
    daily = create_source(portal, "daily", "DAILY")
    manual = create_source(portal, "manual", "MANUAL")
    schedule.run_once()
    assert [j.status for j in jobs_of(hourly)] == ["Running"]
    assert [j.status for j in jobs_of(daily)] == ["Running"]
    assert jobs_of(manual) == []
    source = model.Session.query(HarvestSource).get(hourly["id"])
    assert dt.timedelta(minutes=59) < source.next_run - dt.datetime.utcnow() <= dt.timedelta(hours=1)
    schedule.run_once()  # nothing is due yet: no second job
    assert len(jobs_of(hourly)) == 1 and len(jobs_of(daily)) == 1
    source.next_run = dt.datetime.utcnow() - dt.timedelta(minutes=1)  # an hour later
    source.save()
    jobs_of(hourly)[0].status = "Finished"
    model.Session.commit()
    schedule.run_once()
    assert sorted(j.status for j in jobs_of(hourly)) == ["Finished", "Running"]


@pytest.mark.ckan_config("ckan.harvest.timeout", 60)
def test_a_job_that_stopped_moving_is_finished_with_an_error(portal, empty_queues):
    source = create_source(portal, "stuck", "MANUAL")
    job = portal["sysadmin"].ok("harvest_job_create", source_id=source["id"], run=True)
    stuck = model.Session.query(HarvestJob).get(job["id"])
    stuck.created = stuck.gather_started = dt.datetime.utcnow() - dt.timedelta(hours=2)  # its worker died
    model.Session.commit()
    schedule.run_once()
    model.Session.refresh(stuck)
    assert stuck.status == "Finished"
    assert any("timeout (60 minutes)" in e.message for e in stuck.gather_errors)


def test_an_administrator_runs_a_source_now_from_the_web_interface(app, portal, empty_queues):
    source = create_source(portal, "on-demand", "MANUAL")
    headers = portal["sysadmin"].headers
    app.post(f"/harvest/refresh/{source['id']}", headers=headers, status=302, follow_redirects=False)
    assert [j.status for j in jobs_of(source)] == ["Running"]
    # already running: no second job
    app.post(f"/harvest/refresh/{source['id']}", headers=headers, follow_redirects=False)
    assert len(jobs_of(source)) == 1
    app.post(f"/harvest/refresh/{source['id']}", headers=portal["rod_sante"].headers, status=403,  # another producer
             follow_redirects=False)


def test_the_harvest_pages_show_each_job_and_each_failed_record(app, portal):
    server = Simulator(count=14).start()
    try:
        server.catalogue.record_faults = {"I1006": "500"}
        source = HarvestSourceObj(url=server.url, source_type="hcp", owner_org="haut-commissariat-au-plan",
                                  name="hcp-pages", title="HCP pages")
        job = HarvestJobObj(source=source, run=False)
        run_harvest_job(job, HCPHarvester())
        server.catalogue.change("I1003")
        server.catalogue.hidden = {"I1004"}
        second = HarvestJobObj(source=source, run=False)
        run_harvest_job(second, HCPHarvester())
    finally:
        server.shutdown()
        server.server_close()
    headers = portal["sysadmin"].headers
    page = app.get(f"/harvest/hcp-pages/job/{second.id}", headers=headers).body
    assert "Finished" in page
    counts = {label: int(n) for label, n in re.findall(r'data-diff="([a-z ]+)">\s*(\d+)', page)}
    assert counts == {"error": 1, "added": 0, "updated": 1, "deleted": 1, "not modified": 11}
    assert "I1006" in page and "could not be read" in page  # the failed record and its error
    listing = app.get("/harvest/hcp-pages/job", headers=headers).body
    assert str(job.id) in listing and str(second.id) in listing
    about = " ".join(app.get("/harvest/admin/hcp-pages", headers=headers).body.split())
    assert "Finished" in about
