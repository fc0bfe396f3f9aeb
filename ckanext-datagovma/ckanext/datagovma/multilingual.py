"""Multilingual values ({"fr": ..., "ar": ..., "zgh": ...}): the one reading of them that the
validators, the templates and the DCAT profile share."""

import json


def parse(value):
    """A dict, its stored JSON, or a plain string (read as French) -> dict; {} when empty;
    None when the value is JSON-looking but not a JSON object."""
    if isinstance(value, dict):
        return value
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        if not value.strip().startswith("{"):
            return {"fr": value}
        try:
            loaded = json.loads(value)
        except ValueError:
            return None
        return loaded if isinstance(loaded, dict) else None
    return None
