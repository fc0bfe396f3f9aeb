"""Installs the portal's CKAN extension (ckanext-datagovma) and its search service
(datagovma_search) from one checkout. Versions of everything else are pinned in
requirements/constraints.txt."""

from setuptools import find_namespace_packages, setup

extension_packages = find_namespace_packages(where="ckanext-datagovma", include=["ckanext.*"])

setup(
    name="ckanext-datagovma",
    version="0.1.0",
    description="Morocco's national open data portal: CKAN extension and embedded search service",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0",
    python_requires=">=3.10",
    package_dir={"ckanext": "ckanext-datagovma/ckanext", "datagovma_search": "datagovma_search"},
    packages=extension_packages + ["datagovma_search"],
    include_package_data=True,
    package_data={
        "ckanext.datagovma": ["config_declaration.yaml", "templates/**/*", "public/**/*", "assets/**/*",
                              "i18n/**/*", "data/*", "schemas/*"],
    },
    install_requires=["numpy", "PyStemmer", "lxml", "orjson", "google-re2"],
    entry_points={
        "ckan.plugins": [
            "datagovma = ckanext.datagovma.plugin:DatagovmaPlugin",
            "datagovma_preview = ckanext.datagovma.plugin:DatagovmaPreviewPlugin",
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
