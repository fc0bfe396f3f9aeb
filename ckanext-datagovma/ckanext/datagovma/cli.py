"""`ckan datagovma ...`: loading the portal's reference data (idempotent; `make run` calls it), the
HCP source, the harvest scheduler, and `check`, which finds what breaks the publication invariant."""

import json
import os
import time

import ckan.plugins.toolkit as tk
import click
from ckan import model
from ckanext.harvest.logic import HarvestJobExists

from . import publication, reference, tracking
from .harvesters import schedule

__all__ = ["datagovma"]

HCP_SOURCE = "hcp-base-de-donnees-statistiques"


@click.group(short_help="datagovma portal commands")
def datagovma():
    """Commands of Morocco's national open data portal."""


def _context():
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _exists(action, name):
    try:
        tk.get_action(action)(_context(), {"id": name})
        return True
    except tk.ObjectNotFound:
        return False


@datagovma.command("load-reference")
@click.option("--examples/--no-examples", default=True, help="also create the example datasets")
def load_reference(examples):
    """Themes (groups), producers (organizations) and a few example datasets; existing ones are kept."""
    created = {"themes": 0, "producers": 0, "datasets": 0}
    for slug, theme in reference.themes().items():
        if not _exists("group_show", slug):
            tk.get_action("group_create")(_context(), {
                "name": slug, "title_translated": {"fr": theme["name_fr"], "ar": theme["name_ar"]},
                "eu_data_theme": theme["eu_data_theme"]})
            created["themes"] += 1
    for slug, producer in reference.producers().items():
        if not _exists("organization_show", slug):
            region = f"MA-{producer['region_code']}" if producer.get("region_code") else ""
            tk.get_action("organization_create")(_context(), {
                "name": slug, "title_translated": {"fr": producer["name_fr"], "ar": producer["name_ar"]},
                "acronym": producer.get("acronym") or "", "producer_type": producer.get("type") or "",
                "region": region})
            created["producers"] += 1
    if examples:
        with open(os.path.join(reference.DATA_DIR, "examples.json"), encoding="utf-8") as handle:
            for dataset in json.load(handle):
                if not _exists("package_show", dataset["name"]):
                    groups = [{"name": slug} for slug in dataset.get("themes", [])]
                    tk.get_action("package_create")(_context(), dict(dataset, publication_status="published",
                                                                     groups=groups))
                    created["datasets"] += 1
    click.echo(f"reference data: {created['themes']} themes, {created['producers']} producers, "
               f"{created['datasets']} example datasets created")


@datagovma.command("hcp-source")
@click.option("--url", required=True, help="the HCP API (or the local simulator) base address")
@click.option("--frequency", default="DAILY",
              type=click.Choice(["MANUAL", "HOURLY", "DAILY", "WEEKLY", "BIWEEKLY", "MONTHLY"]))
def hcp_source(url, frequency):
    """Creates the HCP harvest source (once) and queues a harvest job now."""
    context = _context()
    try:
        source = tk.get_action("harvest_source_show")(context, {"id": HCP_SOURCE})
    except tk.ObjectNotFound:
        source = tk.get_action("harvest_source_create")(_context(), {
            "name": HCP_SOURCE, "title": "HCP — base de données statistiques", "url": url, "source_type": "hcp",
            "frequency": frequency, "owner_org": "haut-commissariat-au-plan"})
        click.echo(f"harvest source {HCP_SOURCE} created for {url}")
    try:
        tk.get_action("harvest_job_create")(_context(), {"source_id": source["id"], "run": True})
        click.echo("harvest job queued: the harvest consumers run it now")
    except HarvestJobExists:
        click.echo("a harvest job of this source is already waiting or running")


@datagovma.command("harvest-scheduler")
@click.option("--interval", default=60, show_default=True, help="seconds between two passes")
@click.option("--once", is_flag=True, help="one pass, then exit")
def harvest_scheduler(interval, once):
    """Starts due harvest jobs (HOURLY included) and closes finished or timed-out ones, every
    INTERVAL seconds; the harvest-scheduler process of `make run` and docker-compose."""

    while True:
        try:
            started = schedule.run_once()
            if started:
                click.echo(f"harvest jobs started: {', '.join(started)}")
        except Exception as exc:  # one bad pass (database restarting...) must not stop the scheduler
            click.echo(f"harvest scheduler pass failed: {exc}", err=True)
            if once:
                raise
        finally:
            model.Session.remove()
        if once:
            return
        time.sleep(interval)


@datagovma.command("migrate-tracking")
def migrate_tracking():
    """Applies the migrations of CKAN's tracking tables, which the datagovma_tracking plugin uses in
    place of `tracking` (`ckan db upgrade -p tracking` only works with `tracking` loaded)."""
    tracking.migrate()
    click.echo("tracking tables up to date")


@datagovma.command("check")
def check():
    """Reports every dataset that breaks the publication invariant (public if and only if
    published, active and publishable), in the database or in the search index; exits 1 if
    any does."""
    problems = publication.check()
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} dataset(s) break the publication invariant", err=True)
        raise SystemExit(1)
    click.echo("every dataset is public if and only if it is published, active and publishable")
