"""Producers with their ROD (organization admin) and GdD (organization editor), through the API, for the
metadata and browser tests."""

import re

import pytest
from ckan.tests import factories



class Api:
    """Calls the Action API as one user (or anonymously), as a client of the portal would."""

    def __init__(self, app, token=None):
        self.app = app
        self.headers = {"Authorization": token} if token else {}

    def call(self, action, status=200, **data):
        resp = self.app.post(f"/api/3/action/{action}", json=data, headers=self.headers, status=status)
        return resp.json

    def ok(self, action, **data):
        return self.call(action, **data)["result"]


PASSWORD = "Tajine-et-couscous-2026"


def _user_with_token(name):
    # no avatar on another host: pages must not send visitors' browsers elsewhere
    return factories.UserWithToken(name=name, password=PASSWORD, image_url="")


@pytest.fixture
def portal(with_plugins, clean_db, clean_index, app):
    """Two producers (HCP and the health ministry), each with a ROD and a GdD, and a sysadmin."""
    return make_people(app)


def make_people(app):
    """The producers, their RODs and GdDs, and a sysadmin of the ``portal`` fixture, made through
    ``app``: {"anonymous", "sysadmin", "rod_hcp", "gdd_hcp", "rod_sante", "gdd_sante": Api}."""
    sysadmin = factories.SysadminWithToken()
    admin = Api(app, sysadmin["token"])
    people = {"anonymous": Api(app), "sysadmin": admin}
    for org, acronym in (("haut-commissariat-au-plan", "hcp"), ("ministere-de-la-sante", "sante")):
        admin.ok("organization_create", name=org, title_translated={"fr": org.replace("-", " ").title(), "ar": "منتج"},
                 producer_type="institution")
        for role, capacity in (("rod", "admin"), ("gdd", "editor")):
            user = _user_with_token(f"{role}-{acronym}")
            admin.ok("organization_member_create", id=org, username=user["name"], role=capacity)
            people[f"{role}_{acronym}"] = Api(app, user["token"])
            people[f"{role}_{acronym}"].user = user
    return people


def complete_dataset(**overrides):
    dataset = {
        "name": "population-legale-regions-2024",
        "title_translated": {"fr": "Population légale des régions", "ar": "السكان القانونيون للجهات"},
        "notes_translated": {"fr": "Résultats du recensement 2024.", "ar": "نتائج إحصاء 2024."},
        "owner_org": "haut-commissariat-au-plan",
        "themes": ["societe"],
        "spatial_coverage": "regional",
        "regions": ["MA-01", "MA-04"],
        "provinces": ["01.051", "04.421"],
        "temporal_start": "2024-01-01",
        "temporal_end": "2024-12-31",
        "frequency": "annual",
        "license_id": "odc-odbl",
        "data_languages": ["fr", "ar"],
        "legal_basis": "loi-31-13-art-10-statistiques",
        "classification": "non-classifie",
        "personal_data": "aucune",
        "rod_name": "Amina Alaoui", "rod_email": "rod@hcp.ma",
        "gdd_name": "Youssef Bennani", "gdd_email": "gdd@hcp.ma",
        "tag_string": "recensement,population,السكان",
        "resources": [{"url": "http://127.0.0.1/population.csv", "format": "csv",
                       "name_translated": {"fr": "Tableau par région", "ar": "جدول حسب الجهة"}}],
    }
    dataset.update(overrides)
    return dataset


def publish(portal, **overrides):
    """A complete dataset (``complete_dataset(**overrides)``) created by HCP's GdD, submitted and
    published by its ROD: what the portal shows visitors. Returns the dataset as created."""
    created = portal["gdd_hcp"].ok("package_create", **complete_dataset(**overrides))
    portal["gdd_hcp"].ok("datagovma_dataset_submit", id=created["id"])
    portal["rod_hcp"].ok("datagovma_dataset_publish", id=created["id"])
    return created


def comparable_page(body):
    """A page's HTML without what differs at each rendering: the schema.org script names its blank
    nodes anew (tests/dcat checks it), and the CSRF token is signed with the time."""
    body = re.sub(r'<script type="application/ld\+json">.*?</script>', "", body, flags=re.S)
    return re.sub(r'"[\w-]{20,}\.[\w-]{6}\.[\w-]{20,}"', '"csrf-token"', body)
