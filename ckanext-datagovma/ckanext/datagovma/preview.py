"""The preview of CSV and JSON files stored by the portal: the first rows as a table, read on the
server from the uploaded file (no DataStore, no call to another host, no script in the page).
Links to files elsewhere are not previewed: the portal never fetches an address a user typed."""

import csv
import io
import json

import ckan.plugins.toolkit as tk
from ckan.lib import uploader

MAX_ROWS = 100
MAX_BYTES = 2 * 1024 * 1024  # read at most this much of a JSON file (it is shown only when whole)
TABLE_BYTES = 256 * 1024  # and of a CSV: far more than 100 rows of a national dataset, read at each view
TABULAR = {"CSV", "TSV"}
JSON_FORMATS = {"JSON", "GEOJSON"}


def previewable(resource):
    fmt = (resource.get("format") or "").upper()
    return resource.get("url_type") == "upload" and fmt in TABULAR | JSON_FORMATS


def _stored_bytes(resource, limit):
    path = uploader.get_resource_uploader(resource).get_path(resource["id"])
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    return data[:limit], len(data) > limit


def _text(data):
    """Producers' files come as UTF-8 (with or without BOM), or as Windows Arabic or Latin-1."""
    for encoding in ("utf-8-sig", "cp1256", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def _table(text, cut, delimiter=None):
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:20000], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    for row in reader:
        rows.append(row)
        if len(rows) > MAX_ROWS:
            break
    if not rows:
        return {"error": tk._("The file is empty")}
    header, body = rows[0], rows[1:MAX_ROWS + 1]
    width = max(len(header), *(len(r) for r in body)) if body else len(header)
    header = header + [""] * (width - len(header))
    return {
        "columns": header,
        "rows": [r + [""] * (width - len(r)) for r in body],
        "truncated": cut or len(rows) > MAX_ROWS,
    }


def _json(text, cut):
    if cut:
        return {"error": tk._("The file is larger than {0} MB: download it to read it").format(MAX_BYTES // 2**20)}
    try:
        value = json.loads(text)
    except ValueError as exc:
        return {"error": tk._("The file is not valid JSON ({0})").format(exc)}
    records = value.get("rows") if isinstance(value, dict) and isinstance(value.get("rows"), list) else value
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        records = [f.get("properties") or {} for f in value.get("features") or [] if isinstance(f, dict)]
    if isinstance(records, list) and records and all(isinstance(r, dict) for r in records):
        columns = list(dict.fromkeys(k for r in records[:MAX_ROWS] for k in r))
        rows = [["" if r.get(c) is None else str(r.get(c)) for c in columns] for r in records[:MAX_ROWS]]
        return {"columns": columns, "rows": rows, "truncated": len(records) > MAX_ROWS}
    pretty = json.dumps(value, ensure_ascii=False, indent=2)
    lines = pretty.splitlines()
    return {"text": "\n".join(lines[:500]), "truncated": len(lines) > 500}


def preview(resource):
    """What the preview shows of a stored file: {"columns", "rows", "truncated"} for a table,
    {"text", "truncated"} for other JSON, or {"error": a sentence for the reader}."""
    fmt = (resource.get("format") or "").upper()
    try:
        data, cut = _stored_bytes(resource, MAX_BYTES if fmt in JSON_FORMATS else TABLE_BYTES)
    except OSError:
        return {"error": tk._("The file is not available for preview")}
    if b"\x00" in data[:4096]:
        return {"error": tk._("The file is not text: download it to open it")}
    if cut and fmt not in JSON_FORMATS:  # end on a whole line (and a whole UTF-8 character)
        data = data[: data.rfind(b"\n") + 1] or data
    text = _text(data)
    if fmt in JSON_FORMATS:
        return _json(text, cut)
    return _table(text, cut, "\t" if fmt == "TSV" else None)
