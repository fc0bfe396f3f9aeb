"""Harvesters of the portal (one ckanext-harvest plugin each) and what they share."""
