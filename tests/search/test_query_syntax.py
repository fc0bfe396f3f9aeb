"""Each query form CKAN, its extensions and API users send, with the result set Solr gives."""

import pytest
import requests

from .conftest import SITE, ckan_doc, ids

DISMAX = {
    "defType": "dismax",
    "qf": "name^4 title^4 tags^2 groups^2 text",
    "mm": "2<-1 5<80%",
    "tie": "0.1",
    "q.op": "AND",
    "df": "text",
}
LUCENE = {"q.op": "AND", "df": "text"}


@pytest.fixture
def corpus(solr):
    solr.add(
        [
            ckan_doc(
                "eau-potable",
                title="Accès à l'eau potable",
                tags=["eau", "sante"],
                groups=["environnement"],
                organization="onee",
                res_format=["CSV", "JSON"],
                num_resources="2",
                metadata_modified="2024-03-01T10:00:00Z",
                license_id="odc-odbl",
            ),
            ckan_doc(
                "budget-etat",
                title="Budget de l'État 2024",
                tags=["budget", "finances"],
                groups=["economie"],
                organization="finances",
                res_format=["XLSX"],
                num_resources="1",
                metadata_modified="2024-06-01T10:00:00Z",
                license_id="cc-by",
            ),
            ckan_doc(
                "qualite-eau",
                title="Qualité de l'eau des rivières",
                tags=["eau"],
                groups=["environnement"],
                organization="onee",
                res_format=["CSV"],
                num_resources="10",
                capacity="private",
                metadata_modified="2023-01-01T10:00:00Z",
                license_id="odc-odbl",
                notes="Mesures trimestrielles de la qualité des eaux de surface",
            ),
            ckan_doc(
                "population-regions",
                title="Population des régions",
                tags=["population", "demographie"],
                groups=["societe"],
                organization="hcp",
                res_format=["CSV", "PDF"],
                num_resources="3",
                metadata_modified="2022-05-05T10:00:00Z",
                license_id="cc-zero",
                state="draft",
            ),
            ckan_doc(
                "ecoles",
                title="Établissements scolaires",
                tags=["education"],
                groups=["education"],
                organization="education",
                res_format=[],
                num_resources="0",
                metadata_modified="2021-01-01T10:00:00Z",
                license_id="odc-odbl",
            ),
        ],
        commit=True,
    )
    return solr


@pytest.mark.parametrize(
    "q, expected",
    [
        ("*:*", ["budget-etat", "ecoles", "eau-potable", "population-regions", "qualite-eau"]),
        ("tags:eau", ["eau-potable", "qualite-eau"]),
        ('title:"eau potable"', ["eau-potable"]),
        ('title:"potable eau"', []),
        ("tags:eau AND organization:onee", ["eau-potable", "qualite-eau"]),
        ("tags:eau OR tags:budget", ["budget-etat", "eau-potable", "qualite-eau"]),
        ("tags:eau NOT capacity:private", ["eau-potable"]),
        ("+tags:eau -capacity:private", ["eau-potable"]),
        ("tags:eau && !capacity:private", ["eau-potable"]),
        ("tags:(budget OR education)", ["budget-etat", "ecoles"]),
        ("(tags:eau AND capacity:private) OR tags:budget", ["budget-etat", "qualite-eau"]),
        ("-tags:eau", ["budget-etat", "ecoles", "population-regions"]),
        ("NOT tags:eau", ["budget-etat", "ecoles", "population-regions"]),
        ("num_resources:[2 TO 3]", ["eau-potable", "population-regions"]),  # * fields are strings: lexicographic
        ("num_resources:{0 TO 2]", ["budget-etat", "eau-potable", "qualite-eau"]),
        ("metadata_modified:[2024-01-01T00:00:00Z TO *]", ["budget-etat", "eau-potable"]),
        ("metadata_modified:[* TO 2022-01-01T00:00:00Z}", ["ecoles"]),
        (
            "metadata_modified:[NOW-100YEARS TO NOW]",
            ["budget-etat", "ecoles", "eau-potable", "population-regions", "qualite-eau"],
        ),
        ("metadata_modified:[NOW/DAY TO *]", []),
        ("name:eau*", ["eau-potable"]),
        ("name:*eau", ["qualite-eau"]),
        ("name:e?oles", ["ecoles"]),
        ("title:riv*", ["qualite-eau"]),
        ("organization:*", ["budget-etat", "ecoles", "eau-potable", "population-regions", "qualite-eau"]),
        ("res_format:CSV", ["eau-potable", "population-regions", "qualite-eau"]),
        ("res_format:csv", []),  # string fields match exactly
        ("name:/qual.*/", ["qualite-eau"]),
        ("title:rivie~1", ["qualite-eau"]),
        ("license_id:odc-odbl AND -organization:onee", ["ecoles"]),
        ('tags: "budget"', ["budget-etat"]),
        ("riviere", ["qualite-eau"]),  # df=text, stemmed and folded
    ],
)
def test_lucene_syntax(corpus, q, expected):
    assert ids(corpus.search(q, rows=50, **LUCENE)) == sorted(f"id-{n}" for n in expected)


@pytest.mark.parametrize(
    "q, expected",
    [
        ("eau", ["eau-potable", "qualite-eau"]),
        ("eau potable", ["eau-potable"]),
        ('"qualité des eaux"', ["qualite-eau"]),
        ("eau -potable", ["qualite-eau"]),
        ("+budget +2024", ["budget-etat"]),
        ("etat", ["budget-etat"]),
        ("ÉTABLISSEMENTS", ["ecoles"]),
        ("eau rivieres mesures inconnu", ["qualite-eau"]),  # mm 2<-1: 3 of 4 clauses suffice
        ("eau inconnu", []),  # mm: both of 2 clauses needed
        ('unbalanced "quote', []),  # dismax strips unbalanced quotes
    ],
)
def test_dismax_as_ckan_sends_it(corpus, q, expected):
    assert ids(corpus.search(q, rows=50, **DISMAX)) == sorted(f"id-{n}" for n in expected)


def test_filter_queries_combine(corpus):
    results = corpus.search(
        "*:*",
        fq=[
            f'+site_id:"{SITE}"',
            "+state:active",
            "+capacity:public",
            '+permission_labels:("public" OR "member-x")',
            "-dataset_type:harvest",
        ],
        **LUCENE,
    )
    assert ids(results) == ["id-budget-etat", "id-eau-potable", "id-ecoles"]
    results = corpus.search("*:*", fq=' tags:"eau" organization:"onee"', **LUCENE)
    assert ids(results) == ["id-eau-potable", "id-qualite-eau"]


def test_sort_paging_and_field_list(corpus):
    params = dict(LUCENE, fl="name")
    by_date = corpus.search("*:*", sort="metadata_modified desc", rows=2, start=1, **params)
    assert [d["name"] for d in by_date.docs] == ["eau-potable", "qualite-eau"]
    assert by_date.hits == 5
    by_title = corpus.search("*:*", sort="title_string asc", rows=5, **params)
    assert [d["name"] for d in by_title.docs] == [
        "eau-potable",
        "budget-etat",
        "population-regions",
        "qualite-eau",
        "ecoles",
    ]
    relevance = corpus.search("eau", sort="score desc, metadata_modified desc", **dict(DISMAX, fl="name"))
    assert [d["name"] for d in relevance.docs][0] in ("eau-potable", "qualite-eau")
    missing_last = corpus.search("*:*", sort="view_recent desc, name asc", **params)
    assert [d["name"] for d in missing_last.docs][0] == "budget-etat"


def test_facets(corpus):
    results = corpus.search(
        "*:*",
        fq="+state:active",
        **dict(
            LUCENE,
            **{
                "facet": "true",
                "facet.field": ["tags", "organization", "res_format", "license_id"],
                "facet.limit": 2,
                "facet.mincount": 1,
            },
        ),
    )
    assert results.facets["facet_fields"]["organization"] == ["onee", 2, "education", 1]
    assert results.facets["facet_fields"]["res_format"] == ["CSV", 2, "JSON", 1]
    everything = corpus.search(
        "*:*",
        rows=0,
        **dict(LUCENE, **{"facet": "true", "facet.field": "groups", "facet.limit": -1, "facet.sort": "index"}),
    )
    assert everything.facets["facet_fields"]["groups"] == [
        "economie",
        1,
        "education",
        1,
        "environnement",
        2,
        "societe",
        1,
    ]


def test_local_params_as_ckan_allows_them(corpus):
    assert ids(corpus.search("{!bool must=tags:eau must_not=capacity:private}", **LUCENE)) == ["id-eau-potable"]
    assert ids(corpus.search("{!term f=tags}budget", **LUCENE)) == ["id-budget-etat"]
    assert ids(corpus.search("{!dismax qf=title}potable", **LUCENE)) == ["id-eau-potable"]


def test_edismax_accepts_fields_in_q(corpus):
    results = corpus.search("eau organization:onee", **dict(DISMAX, defType="edismax"))
    assert ids(results) == ["id-eau-potable", "id-qualite-eau"]


@pytest.mark.parametrize("options", [
    {"facet.limit": "50", "facet.mincount": "1"},  # what CKAN's pages ask
    {"facet.limit": "7", "facet.offset": "5", "facet.mincount": "2"},
    {"facet.limit": "-1", "facet.mincount": "1"},
    {"facet.limit": "10", "facet.sort": "index", "facet.mincount": "1"},
    {"facet.limit": "-1", "facet.sort": "index", "facet.offset": "3", "facet.mincount": "3"},
    {"facet.limit": "5", "facet.prefix": "mot-1", "facet.mincount": "1"},
])
def test_keyword_facets_with_many_terms_count_order_and_page_as_solr(solr, options):
    """Counts descending, ties in term order (index order: terms only, the default when
    facet.limit is not positive), from facet.offset, facet.limit of them: the terms' counts
    computed here from the documents themselves."""
    import random

    rng = random.Random(31)
    docs = [ckan_doc(f"jeu-{n}", tags=rng.sample([f"mot-{t}" for t in range(300)], rng.randint(1, 6)),
                     organization="hcp" if n % 3 else "onee") for n in range(400)]
    solr.add(docs, commit=True)
    results = solr.search("organization:hcp", rows=0, **dict(LUCENE, facet="true", **{"facet.field": "tags"},
                                                            **options))
    counts = {tag: 0 for doc in docs for tag in doc["tags"]}
    for doc in docs:
        if doc["organization"] == "hcp":
            for tag in doc["tags"]:
                counts[tag] += 1
    pairs = [(t, c) for t, c in counts.items()
             if c >= int(options["facet.mincount"]) and t.startswith(options.get("facet.prefix", ""))]
    # Solr's default order: by count when facet.limit > 0, else by term
    by_index = options.get("facet.sort", "count" if int(options["facet.limit"]) > 0 else "index") == "index"
    pairs.sort(key=(lambda p: p[0]) if by_index else (lambda p: (-p[1], p[0])))
    pairs = pairs[int(options.get("facet.offset", 0)):]
    if int(options["facet.limit"]) >= 0:
        pairs = pairs[:int(options["facet.limit"])]
    assert results.facets["facet_fields"]["tags"] == [x for pair in pairs for x in pair]


def test_facet_counts_follow_each_commit_and_rollback(solr, service):
    """The same search asked again gets the counts of the index as committed at that moment."""
    def counts():
        options = {"facet": "true", "facet.field": "tags", "facet.mincount": 1}
        flat = solr.search("*:*", rows=0, **dict(LUCENE, **options)).facets["facet_fields"]["tags"]
        return dict(zip(flat[::2], flat[1::2], strict=True))

    solr.add([ckan_doc("a", tags=["eau"]), ckan_doc("b", tags=["eau", "sante"])], commit=True)
    assert counts() == {"eau": 2, "sante": 1}
    solr.add([ckan_doc("c", tags=["sante"])], commit=False)
    assert counts() == {"eau": 2, "sante": 1}  # not committed yet
    solr.commit()
    assert counts() == {"eau": 2, "sante": 2}
    solr.delete(id="idx-a", commit=True)
    assert counts() == {"eau": 1, "sante": 2}
    solr.add([ckan_doc("d", tags=["budget"])], commit=False)
    requests.post(service.url + "/update", data="<rollback/>", headers={"Content-type": "text/xml"})
    assert counts() == {"eau": 1, "sante": 2}


@pytest.mark.parametrize(
    "q, expected",
    [
        # Lucene's regexp syntax, matched against the whole term (datagovma_search/patterns.py)
        ("name:/eau/", []),  # anchored: a part of a term is not a match
        ("name:/eau-potable/", ["eau-potable"]),
        ("name:/[a-e]coles/", ["ecoles"]),
        ("name:/[^a-d]coles/", ["ecoles"]),
        ("name:/e.{3}s/", []),
        ("name:/e.{4}s/", ["ecoles"]),
        ("name:/(eau|budget)-.*/", ["budget-etat", "eau-potable"]),
        ("name:/.*-e(au|tat)/", ["budget-etat", "qualite-eau"]),
        ('name:/"eau-potable"/', ["eau-potable"]),  # a quoted string is literal
        ("name:/eau.potable/", ["eau-potable"]),
        ("name:/eau\\.potable/", []),  # an escaped dot is a dot
        ("name:/ecoles?/", ["ecoles"]),
        ("name:/@/", ["budget-etat", "ecoles", "eau-potable", "population-regions", "qualite-eau"]),  # any string
        ("name:/#/", []),  # the empty language
        ("num_resources:/<1-2>/", ["budget-etat", "eau-potable"]),  # a numeric interval ("10" is not in it)
        ("num_resources:/<0-10>/", ["budget-etat", "ecoles", "eau-potable", "population-regions", "qualite-eau"]),
        ("num_resources:/\\d/", ["budget-etat", "ecoles", "eau-potable", "population-regions"]),
        ("name:/^ecoles$/", []),  # ^ and $ are characters in Lucene, not anchors
        ("name:*-e?u", ["qualite-eau"]),  # a wildcard with ? (matched by RE2)
        ("name:*ul*", ["population-regions"]),
    ],
)
def test_lucene_regexp_and_wildcard_semantics(corpus, q, expected):
    assert ids(corpus.search(q, rows=50, **LUCENE)) == sorted(f"id-{n}" for n in expected)
