"""Checks on uploaded resource files: allowed extension, size limit, and content that matches
the extension (a ".csv" that is really HTML, a script or a program is refused)."""

import os

import ckan.plugins.toolkit as tk
from flask import request

# Signatures of content that must never be served as data.
_DANGEROUS = (
    (b"\x7fELF", "an executable program"),
    (b"MZ", "a Windows program"),
    (b"\xcf\xfa\xed\xfe", "an executable program"),
    (b"#!", "a script"),
    (b"<?php", "a PHP script"),
)
_HTML = (b"<!doctype html", b"<html", b"<script", b"<iframe", b"<body", b"<head")
_ZIP = b"PK\x03\x04"
_BINARY = {"xlsx": _ZIP, "docx": _ZIP, "ods": _ZIP, "odt": _ZIP, "zip": _ZIP, "shp": _ZIP,
           "pdf": b"%PDF", "xls": b"\xd0\xcf\x11\xe0"}
_TEXT = {"csv", "tsv", "json", "geojson", "xml", "txt", "kml", "rdf", "ttl", "jsonld"}


def _size(upload):
    stream = upload.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _content_problem(extension, head):
    lowered = head.lstrip().lower()
    for signature, what in _DANGEROUS:
        if head.startswith(signature):
            return tk._(what)
    if extension in _BINARY:
        if not head.startswith(_BINARY[extension]):
            return tk._("not a {0} file").format(extension.upper())
        return None
    if extension in _TEXT:
        if b"\x00" in head:
            return tk._("binary content")
        if any(lowered.startswith(tag) for tag in _HTML) and extension not in ("xml", "kml", "rdf"):
            return tk._("a web page (HTML)")
        if extension in ("json", "geojson", "jsonld") and lowered[:1] not in (b"{", b"["):
            return tk._("not JSON")
    return None


def check_upload(resource):
    """Raises a ValidationError on the ``upload`` field when the uploaded file is refused."""
    upload = resource.get("upload")
    if upload is None or not hasattr(upload, "stream") or not getattr(upload, "filename", None):
        return
    filename = upload.filename
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    allowed = [e.lower() for e in tk.config.get("ckanext.datagovma.upload.extensions")]
    if extension not in allowed:
        raise tk.ValidationError({"upload": [tk._("Files of type .{0} are not accepted; accepted types: {1}").format(
            extension or "?", ", ".join(allowed))]})
    limit = tk.config.get("ckanext.datagovma.upload.max_size_mb")
    size = _size(upload)
    if size > limit * 1024 * 1024:
        raise tk.ValidationError({"upload": [tk._("The file is {0:.1f} MB; the limit is {1} MB").format(
            size / 1024 / 1024, limit)]})
    head = upload.stream.read(4096)
    upload.stream.seek(0)
    problem = _content_problem(extension, head)
    if problem:
        raise tk.ValidationError({"upload": [tk._("The file {0} is refused: its content is {1}, not what its "
                                                  "name says").format(filename, problem)]})


def safe_download_headers(response):
    """Flask after_request hook: an uploaded resource is downloaded as an attachment (never
    rendered by the browser), except the types configured as safe to show inline, and the
    browser must not second-guess its Content-Type."""
    if request.endpoint and request.endpoint.endswith(".download") and response.status_code == 200:
        inline = tk.config.get("ckan.files.inline_content_types") or []
        content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip()
        shown = any(content_type == t or content_type.startswith(t.rstrip("/") + "/") for t in inline)
        disposition = response.headers.get("Content-Disposition", "")
        if not shown and not disposition.startswith("attachment"):
            filename = disposition.split("filename=", 1)[-1] if "filename=" in disposition else None
            response.headers.set("Content-Disposition", "attachment", **({"filename": filename} if filename else {}))
        response.headers["X-Content-Type-Options"] = "nosniff"
    return response
