"""datagovma-search: an embedded search service that speaks the part of Solr's HTTP API CKAN uses.

It never imports CKAN. The schema (fields, dynamic fields, copyFields, analyzers) comes from the
same schema.xml that a production Solr loads, so production switches to Solr by changing
``solr_url`` alone.
"""

__version__ = "0.1.0"
