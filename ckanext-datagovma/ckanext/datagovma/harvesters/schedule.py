"""When harvest jobs start: each source's frequency (ckanext-harvest's MANUAL, DAILY, WEEKLY,
BIWEEKLY, MONTHLY, ALWAYS, plus HOURLY, which the portal adds) and one pass of the scheduler
(`ckan datagovma harvest-scheduler`): start the jobs that are due, close the finished ones, and
finish with an error the jobs that stopped moving (``ckan.harvest.timeout``)."""

import datetime as dt
import logging

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest.logic import HarvestJobExists
from ckanext.harvest.model import UPDATE_FREQUENCIES, HarvestSource

log = logging.getLogger(__name__)

HOURLY = "HOURLY"


def register_hourly():
    """Adds HOURLY to the frequencies ckanext-harvest accepts: its validator and its source form
    read this one list (its own scheduler does not know HOURLY; :func:`start_hourly_jobs` does)."""
    if HOURLY not in UPDATE_FREQUENCIES:
        UPDATE_FREQUENCIES.insert(UPDATE_FREQUENCIES.index("DAILY") + 1, HOURLY)


def start_hourly_jobs(context, now=None):
    """Queues a job for each active HOURLY source that is due, and sets its next run an hour on.

    :returns: the names of the sources whose job was queued
    """
    now = now or dt.datetime.utcnow()
    due = (
        model.Session.query(HarvestSource)
        .filter(HarvestSource.active.is_(True), HarvestSource.frequency == HOURLY)
        .filter((HarvestSource.next_run.is_(None)) | (HarvestSource.next_run <= now))
        .all()
    )
    started = []
    for source in due:
        try:
            tk.get_action("harvest_job_create")(dict(context), {"source_id": source.id, "run": True})
            started.append(source.url)
        except HarvestJobExists:
            log.info("harvest source %s still has a job waiting or running", source.url)
        source.next_run = now + dt.timedelta(hours=1)
        source.save()
    return started


def run_once():
    """One pass of the scheduler: HOURLY sources, then ckanext-harvest's ``harvest_jobs_run``
    (due sources of the other frequencies, finished jobs closed, timed-out jobs finished with an
    error, lost queue entries sent again)."""
    context = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}
    started = start_hourly_jobs(context)
    tk.get_action("harvest_jobs_run")(dict(context), {})
    return started
