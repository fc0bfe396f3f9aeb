"""The harvest queue consumers as real processes (`ckan harvester gather-consumer` and
`fetch-consumer`) on the test database, Redis and search service, as `make run` starts them."""

import os
import signal
import subprocess
import sys
import time

from ckan import model
from ckanext.harvest.model import HarvestJob, HarvestObject

BIN = os.path.dirname(sys.executable)


def write_ini(path, session_ini, plugins, **options):
    """An ini for the consumers: the test session's (database, Redis, search service), with the
    plugins of the test and its options."""
    lines = ["[app:main]", f"use = config:{session_ini}", f"ckan.plugins = {plugins}"]
    lines += [f"{key} = {value}" for key, value in options.items()]
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


class Consumer:
    """One consumer process; its output goes to a log file beside the ini."""

    def __init__(self, ini, kind):
        self.log_path = f"{ini}.{kind}.{time.time_ns()}.log"
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [os.path.join(BIN, "ckan"), "-c", ini, "harvester", f"{kind}-consumer"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self):
        """SIGKILL, as the kernel's OOM killer or a power cut would: no clean-up runs."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        self.log.close()

    def output(self):
        with open(self.log_path, errors="replace") as handle:
            return handle.read()


def objects_of(job_id, state=None):
    model.Session.remove()  # see what the consumers committed
    query = model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job_id)
    if state:
        query = query.filter(HarvestObject.state == state)
    return query.all()


def wait_for(condition, seconds, every=0.5, what="the condition"):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def job_status(job_id):
    model.Session.remove()
    return model.Session.query(HarvestJob).get(job_id).status
