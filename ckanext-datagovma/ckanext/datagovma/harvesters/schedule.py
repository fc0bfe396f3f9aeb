"""When harvest jobs start: each source's frequency (ckanext-harvest's MANUAL, DAILY, WEEKLY,
BIWEEKLY, MONTHLY, ALWAYS, plus HOURLY, which the portal's harvester plugins add when loaded) and
one pass of the scheduler (`ckan datagovma harvest-scheduler`): start the jobs that are due,
close the finished ones, and finish with an error the jobs that stopped moving
(``ckan.harvest.timeout``).

ckanext-harvest's pass (``harvest_jobs_run``) also sends again every WAITING record that is not in
the Redis queue. A record is in neither place while a gather is creating records (they are queued
when the gather ends) and while a consumer has just taken it: a pass at that moment queues it a
second time, and two workers import it (measured: 2 of 1,000 records, which crashed the HCP fetch
stage). So that pass runs only while no consumer holds a message, except one held for so long that
its worker is presumed dead (what the pass exists to recover)."""

import datetime as dt
import logging

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest import queue
from ckanext.harvest.logic import HarvestJobExists
from ckanext.harvest.model import UPDATE_FREQUENCIES, HarvestSource

from . import rules

log = logging.getLogger(__name__)

HOURLY = "HOURLY"


def register_hourly():
    """Adds HOURLY to the frequencies ckanext-harvest accepts: its validator and its source form
    read this one list, with no extension point (its own scheduler does not know HOURLY;
    :func:`start_hourly_jobs` does). Called by the harvester plugins' ``IConfigurable.configure``
    (``base.DatagovmaHarvesterMixin``), never on import; adding it twice is harmless."""
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


# How long a consumer may hold a message before its worker is presumed dead: ckanext-harvest's own
# limits (it sends a fetch message again after 3 minutes; a gather after ckan.harvest.timeout here).
FETCH_HOLD = dt.timedelta(minutes=3)


def consumers_busy(now=None):
    """True while a gather or fetch consumer holds a message it took recently (ckanext-harvest
    marks each message taken with the time, and deletes the mark when done)."""
    if tk.config.get("ckan.harvest.mq.type") != "redis":
        return False
    now = now or dt.datetime.now()
    gather_hold = dt.timedelta(minutes=int(tk.config.get("ckan.harvest.timeout") or 60))
    redis = queue.get_connection()
    for prefix, hold in ((queue.get_fetch_routing_key(), FETCH_HOLD), (queue.get_gather_routing_key(), gather_hold)):
        for key in redis.keys(prefix + ":*"):
            value = redis.get(key)
            try:
                taken = dt.datetime.strptime(value.decode() if isinstance(value, bytes) else value,
                                             "%Y-%m-%d %H:%M:%S.%f")
            except (TypeError, ValueError, AttributeError):
                continue
            if now - taken < hold:
                return True
    return False


def run_once():
    """One pass of the scheduler: HOURLY sources, then (when no consumer holds a message)
    ckanext-harvest's ``harvest_jobs_run``: due sources of the other frequencies, finished jobs
    closed, timed-out jobs finished with an error, lost queue entries sent again.

    :returns: the addresses of the HOURLY sources whose job was queued
    """
    context = rules.site_user_context()
    started = start_hourly_jobs(context)
    if consumers_busy():
        log.debug("harvest consumers are busy: jobs are closed at the next pass")
    else:
        tk.get_action("harvest_jobs_run")(dict(context), {})
    return started
