"""The portal's harvesters (one plugin each: hcp, ckan_portal, dcat_catalog), the rules they share
and their schedule. Loading any of them lets sources run HOURLY."""

from .schedule import register_hourly

register_hourly()
