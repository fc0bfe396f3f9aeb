"""The one error type of the service: it carries the HTTP status Solr would answer with."""


class SolrError(Exception):
    """An error answered in Solr's JSON error shape (``{"error": {"msg": ..., "code": ...}}``)."""

    def __init__(self, msg, code=400):
        super().__init__(msg)
        self.msg = msg
        self.code = code


class SchemaError(Exception):
    """The schema file cannot be used; the message names the file and, where known, the line."""
