"""Installs the portal's CKAN extension (ckanext-datagovma) and its search service
(datagovma_search) from one checkout. Versions of everything else are pinned in
config/constraints.txt (make installs config/requirements.txt with it)."""

import glob
import os

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

EXTENSION = "ckanext-datagovma/ckanext/datagovma"

# The files of ckanext.datagovma that are not Python, folder by folder. A new kind of file or a
# new folder must be added here, or the wheel goes without it (tests/platform/test_packaging.py).
# The scheming schemas are not package data: they live in schemas/ and the config names their path.
EXTENSION_DATA = [
    "config_declaration.yaml",
    "templates/**/*.html",
    "public/**/*",
    "data/*.csv",
    "data/*.json",
    "i18n/*/LC_MESSAGES/*.po",
    "i18n/*/LC_MESSAGES/*.mo",  # compiled from the .po by `make config` (pybabel compile); not in git
]


class BuildWithTranslations(build_py):
    """A wheel without the compiled catalogues would show the portal in English only: refuse to
    build one from a checkout whose .mo are missing or older than their .po. An editable install
    reads the files in place and is not concerned."""

    def run(self):
        if not getattr(self, "editable_mode", False):
            for po in glob.glob(os.path.join(EXTENSION, "i18n", "*", "LC_MESSAGES", "*.po")):
                mo = po[:-3] + ".mo"
                if not os.path.exists(mo) or os.path.getmtime(mo) < os.path.getmtime(po):
                    raise SystemExit(f"{mo} is missing or older than its .po: compile the translations "
                                     "first (make config, or .venv/bin/pybabel compile -d "
                                     f"{EXTENSION}/i18n -D ckanext-datagovma)")
        super().run()


setup(
    name="ckanext-datagovma",
    version="0.1.0",
    description="Morocco's national open data portal: CKAN extension and embedded search service",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0",
    python_requires=">=3.10",
    package_dir={"ckanext": "ckanext-datagovma/ckanext", "datagovma_search": "datagovma_search"},
    # Python packages only (folders with an __init__.py); `ckanext` is a namespace shared with the
    # other extensions. Templates, i18n, data and public are data of ckanext.datagovma, not packages.
    packages=[
        package for package in find_namespace_packages(where="ckanext-datagovma", include=["ckanext.*"])
        if os.path.exists(os.path.join("ckanext-datagovma", *package.split("."), "__init__.py"))
    ] + ["datagovma_search"],
    package_data={"ckanext.datagovma": EXTENSION_DATA},
    include_package_data=False,  # the wheel holds exactly the lists above; MANIFEST.in is for the sdist
    cmdclass={"build_py": BuildWithTranslations},
    # what the search service imports (CKAN and its extensions come from config/requirements.txt)
    install_requires=["numpy", "PyStemmer", "lxml", "orjson", "google-re2"],
    entry_points={
        "ckan.plugins": [
            "datagovma = ckanext.datagovma.plugin:DatagovmaPlugin",
            "datagovma_preview = ckanext.datagovma.plugin:DatagovmaPreviewPlugin",
            "datagovma_speedups = ckanext.datagovma.plugin:DatagovmaSpeedupsPlugin",
            "datagovma_tracking = ckanext.datagovma.plugin:DatagovmaTrackingPlugin",
            "datagovma_hcp_harvester = ckanext.datagovma.harvesters.hcp:HCPHarvester",
            "datagovma_ckan_harvester = ckanext.datagovma.harvesters.ckan_portal:CKANPortalHarvester",
            "datagovma_dcat_harvester = ckanext.datagovma.harvesters.dcat_catalog:DCATCatalogHarvester",
        ],
        "ckan.rdf.profiles": [
            "datagovma_dcat_ap = ckanext.datagovma.dcat_profile:DatagovmaDCATAPProfile",
        ],
        "console_scripts": [
            "datagovma-search = datagovma_search.cli:main",
        ],
        "pytest11": [
            "datagovma_search = datagovma_search.pytest_plugin",
        ],
    },
)
