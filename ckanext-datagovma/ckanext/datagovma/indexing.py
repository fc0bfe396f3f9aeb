"""What the portal adds to CKAN's search documents and queries (IPackageController hooks)."""

import json

LANGUAGES = ("fr", "ar", "zgh", "en")
MULTILINGUAL = ("title_translated", "notes_translated")
# Arabic and French titles weigh as much as CKAN's own title in free-text search.
EXTRA_QUERY_FIELDS = "title_translated_fr^4 title_translated_ar^4 notes_translated_fr notes_translated_ar"


def before_dataset_index(pkg_dict):
    """{"fr": ..., "ar": ...} values become one text field per language (title_translated_fr,
    title_translated_ar...), which config/solr/schema.xml analyses and copies into ``text``."""
    for name in MULTILINGUAL:
        value = pkg_dict.pop(name, None)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = {"fr": value}
        if isinstance(value, dict):
            for lang in LANGUAGES:
                if value.get(lang):
                    pkg_dict[f"{name}_{lang}"] = value[lang]
    for name in ("themes", "regions", "provinces", "data_languages"):
        value = pkg_dict.get(name)
        if isinstance(value, str):
            try:
                pkg_dict[name] = json.loads(value)
            except ValueError:
                pkg_dict[name] = [value]
    # resources carry their own multilingual names: keep them out of the index as dicts
    for key in [k for k, v in pkg_dict.items() if isinstance(v, dict)]:
        pkg_dict[key] = json.dumps(pkg_dict[key], ensure_ascii=False)
    return pkg_dict


def before_dataset_search(search_params):
    """The portal's query fields; and a search that names no type lists datasets only (core's
    /dataset page asks for them, but its producer and theme pages, the home page and the API do
    not): a document of another type in the index (a harvest source; one of a type the portal
    does not know, which its pages cannot link to) never reaches a list that expects datasets."""
    if search_params.get("defType", "dismax") in ("dismax", "edismax") and "qf" not in search_params:
        search_params["qf"] = "name^4 title^4 tags^2 groups^2 text " + EXTRA_QUERY_FIELDS
    fq = search_params.get("fq")
    named = [fq] if isinstance(fq, str) else []
    named += [f for f in search_params.get("fq_list") or [] if isinstance(f, str)]
    named.append(search_params.get("q") if isinstance(search_params.get("q"), str) else "")
    if not any("dataset_type:" in text or "type:" in text for text in named):
        search_params["fq"] = f"{fq or ''} +dataset_type:dataset".strip() if isinstance(fq, str) or fq is None else fq
    return search_params
