"""The portal's harvesters (one plugin each: hcp, ckan_portal, dcat_catalog), the skeleton they
share (base), their shared rules and their schedule. Importing this package changes nothing else:
a harvester plugin offers the HOURLY frequency when CKAN loads it (base.DatagovmaHarvesterMixin.configure)."""
