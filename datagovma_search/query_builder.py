"""From request parameters and syntax trees to engine queries: the lucene, dismax and edismax
query parsers of Solr, local params, q.op/df, qf/mm/tie, and the sort parameter."""

import re

from . import datemath
from .engine import (
    BooleanQuery,
    DisMaxQuery,
    ExistsQuery,
    MatchAll,
    MatchNone,
    NgramQuery,
    NumericRangeQuery,
    PhraseQuery,
    TermQuery,
    TermScanQuery,
    TermSetQuery,
    fuzzy_predicate,
    prefix_selector,
    range_selector,
)
from .errors import SolrError
from .patterns import regexp_matcher, wildcard_matcher
from .query_parser import MUST, MUST_NOT, SHOULD, BoolNode, RangeNode, parse, parse_local_params

PARSERS = ("lucene", "dismax", "edismax", "term", "field", "prefix", "raw", "bool")

_MM_PART = re.compile(r"^(\d+)<(-?\d+%?)$")


def min_should_match(spec, optional):
    """Solr's mm spec ('2<-1 5<80%', '100%', '-1', '3') for a count of optional clauses."""
    spec = (spec or "").strip()
    if not spec:
        return optional
    result = optional
    parts = spec.split()
    if any("<" in p for p in parts):
        result = optional
        for part in parts:
            m = _MM_PART.match(part)
            if not m:
                raise SolrError(f"Invalid 'mm' value: {spec}")
            if optional > int(m.group(1)):
                result = _mm_value(m.group(2), optional)
    else:
        if len(parts) != 1:
            raise SolrError(f"Invalid 'mm' value: {spec}")
        result = _mm_value(parts[0], optional)
    return max(0, min(result, optional))


def _mm_value(value, optional):
    try:
        if value.endswith("%"):
            pct = int(value[:-1])
            calc = int(optional * pct / 100) if pct >= 0 else optional - int(optional * -pct / 100)
            return calc if pct >= 0 else calc
        number = int(value)
    except ValueError:
        raise SolrError(f"Invalid 'mm' value: {value}") from None
    return number if number >= 0 else optional + number


def parse_qf(text):
    """'name^4 title^4 text' -> [('name', 4.0), ('title', 4.0), ('text', 1.0)]."""
    fields = []
    for part in (text or "").replace(",", " ").split():
        name, _, boost = part.partition("^")
        try:
            fields.append((name, float(boost) if boost else 1.0))
        except ValueError:
            raise SolrError(f"Invalid boost in qf: {part!r}") from None
    return fields


def parse_sort(schema, text):
    """'score desc, metadata_modified desc' -> [('score', True), ('metadata_modified', True)]."""
    if not text or not text.strip():
        return [("score", True)]
    spec = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        if len(words) != 2 or words[1].lower() not in ("asc", "desc"):
            raise SolrError(f"Can't determine a Sort Order (asc or desc) in sort spec '{part.strip()}'")
        name, direction = words[0], words[1].lower()
        if name != "score":
            if "(" in name:
                raise SolrError(f"sorting by functions is not supported by this search service: {name}")
            field = schema.field(name)
            if field is None:
                raise SolrError(f"sort param field can't be found: {name}")
            if field.multi_valued:
                raise SolrError(f"can not sort on multivalued field: {name}")
            if field.kind == "text":
                raise SolrError(f"can not sort on a tokenized (text) field: {name}")
            if not (field.indexed or field.doc_values):
                raise SolrError(f"can not sort on a field that is neither indexed nor has doc values: {name}")
        spec.append((name, direction == "desc"))
    return spec or [("score", True)]


class QueryBuilder:
    def __init__(self, core, params):
        self.core = core
        self.schema = core.schema
        self.params = params
        self.now = datemath.now_ms()
        self.default_and = (params.get("q.op") or "OR").upper() == "AND"
        self.df = params.get("df")

    def cache_key(self):
        return (self.default_and, self.df)

    # --- entry points ---------------------------------------------------------------------

    def main_query(self):
        q = self.params.get("q")
        def_type = self.params.get("defType") or "lucene"
        if q is None or not q.strip():
            if def_type in ("dismax", "edismax") and self.params.get("q.alt"):
                return self.lucene(self.params["q.alt"], top=True)
            return MatchAll()
        return self.with_local_params(q, def_type)

    def filter(self, fq):
        return self.with_local_params(fq, "lucene")

    def with_local_params(self, text, def_type):
        local = {}
        pairs = []
        if text.lstrip().startswith("{!"):
            pairs, text = parse_local_params(text.lstrip())
            local = dict(pairs)
            def_type = local.get("type", "lucene")
            if "v" in local:
                text = local["v"]
                if text.startswith("$"):
                    text = self.params.get(text[1:], "")
        if def_type not in PARSERS:
            raise SolrError(f"Unknown query parser '{def_type}'")
        params = dict(self.params)
        params.update({k: v for k, v in local.items() if k != "type"})
        if def_type in ("dismax", "edismax"):
            return self.dismax(text, params, extended=def_type == "edismax")
        if def_type == "bool":
            clauses = {"must": [], "should": [], "must_not": [], "filter": []}
            for key, value in pairs:
                if key in clauses:
                    clauses[key].append(self.with_local_params(value, "lucene"))
                elif key not in ("type", "mm"):
                    raise SolrError(f"Unknown local param '{key}' for the bool query parser")
            return BooleanQuery(
                clauses["must"],
                clauses["should"],
                clauses["must_not"],
                clauses["filter"],
                min_should=int(local.get("mm", 0) or 0),
            )
        if def_type in ("term", "raw", "field", "prefix"):
            name = local.get("f")
            if not name:
                raise SolrError(f"{{!{def_type}}} needs an f= local param naming the field")
            field = self._field(name)
            if def_type == "prefix":
                return TermSetQuery(name, prefix_selector(text), label=f"{{!prefix f={name}}}{text}")
            if def_type == "field":
                return self._term_query(field, text, quoted=True)
            return self._exact(field, text)
        return self.lucene(text, top=True, params=params)

    # --- lucene ---------------------------------------------------------------------------

    def lucene(self, text, top=False, params=None):
        params = params or self.params
        default_and = (params.get("q.op") or ("AND" if self.default_and else "OR")).upper() == "AND"
        tree = parse(text, default_and=default_and)
        self._df = params.get("df", self.df)
        self._qf = None
        return self._build(tree, top)

    def dismax(self, text, params, extended):
        qf = parse_qf(params.get("qf"))
        if not qf:
            df = params.get("df", self.df)
            if not df:
                raise SolrError("dismax needs 'qf' (or 'df') to know which fields to search")
            qf = [(df, 1.0)]
        for name, _ in qf:
            self._field(name)
        try:
            tie = float(params.get("tie") or 0.0)
        except ValueError:
            raise SolrError(f"Invalid 'tie' value: {params.get('tie')}") from None
        tree = parse(text, default_and=False, dismax=not extended)
        self._df = None
        self._qf = (qf, tie)
        query = self._build(tree, top=True)
        if isinstance(query, BooleanQuery) and not tree.explicit_operators and query.should:
            mm = params.get("mm")
            if mm is None:
                mm = "100%" if (params.get("q.op") or "").upper() != "OR" else "0%"
            query.min_should = min_should_match(mm, len(query.should))
        return query

    # --- tree -> queries --------------------------------------------------------------------

    def _build(self, node, top=False):
        if isinstance(node, BoolNode):
            must, should, must_not = [], [], []
            for occur, child in node.clauses:
                q = self._build(child)
                if q is None:
                    continue
                {MUST: must, SHOULD: should, MUST_NOT: must_not}[occur].append(q)
            if not (must or should or must_not):
                return None if not top else MatchNone()
            if top and must_not and not (must or should):
                must.append(MatchAll())
            if len(must) == 1 and not should and not must_not and node.boost is None:
                return must[0]
            if len(should) == 1 and not must and not must_not and node.boost is None:
                return should[0]
            return BooleanQuery(must, should, must_not, boost=node.boost or 1.0)
        if isinstance(node, RangeNode):
            return self._range(node)
        return self._term_node(node)

    def _field(self, name):
        field = self.schema.field(name)
        if field is None:
            raise SolrError(f"undefined field {name}")
        return field

    def _term_node(self, node):
        boost = node.boost or 1.0
        if node.field is None:
            if self._qf is not None:
                fields, tie = self._qf
                subs = []
                for name, field_boost in fields:
                    field = self.schema.field(name)
                    try:
                        q = self._field_term(field, node)
                    except SolrError:
                        if field.type.is_numeric or field.kind == "bool":
                            continue  # dismax skips fields the word cannot be a value of
                        raise
                    if q is not None:
                        q.boost = q.boost * field_boost
                        subs.append(q)
                if not subs:
                    return None
                return DisMaxQuery(subs, tie=tie, boost=boost)
            if not self._df:
                raise SolrError("no field name specified in query and no default specified via 'df' param")
            name = self._df
        else:
            name = node.field
        if name == "*" and node.text == "*":
            return MatchAll()
        field = self._field(name)
        q = self._field_term(field, node)
        if q is not None and boost != 1.0:
            q.boost = q.boost * boost
        return q

    def _field_term(self, field, node):
        if not field.indexed and not field.doc_values:
            raise SolrError(f"can not search on field {field.name}: it is not indexed")
        text = node.text
        if node.regex:
            self._check_length(field, f"/{text}/")
            label = f"{field.name}:/{text}/"
            return TermScanQuery(field.name, regexp_matcher(self._multiterm(field, text)), label=label)
        if node.wildcard:
            if text == "*":
                return ExistsQuery(field.name)
            if field.type.is_numeric:
                raise SolrError(f"wildcards are not supported on the numeric field {field.name}")
            self._check_length(field, text)
            pattern = self._multiterm(field, text)
            label = f"{field.name}:{text}"
            if pattern.endswith("*") and "*" not in pattern[:-1] and "?" not in pattern:
                return TermSetQuery(field.name, prefix_selector(pattern[:-1]), label=label)
            return TermScanQuery(field.name, wildcard_matcher(pattern), label=label)
        if node.fuzzy is not None and not node.quoted:
            self._check_length(field, text)
            edits = int(node.fuzzy) if node.fuzzy >= 1 else 2
            predicate = fuzzy_predicate(self._multiterm(field, text), min(edits, 2))
            return TermScanQuery(field.name, predicate, label=f"{field.name}:{text}~{edits}")
        return self._term_query(field, text, quoted=node.quoted, slop=node.slop)

    def _check_length(self, field, pattern):
        """Patterns (regexp, wildcard, fuzzy) are tried on every term of a field: their length is
        bounded (a CKAN name or id is at most 100 characters)."""
        limit = self.core.max_pattern_length
        if limit is not None and len(pattern) > limit:
            raise SolrError(
                f"the pattern {pattern[:40]}... on {field.name} is {len(pattern)} characters long; "
                f"this search service takes patterns of at most {limit} characters"
            )

    def _multiterm(self, field, text):
        if field.kind == "text":
            return field.type.query_analyzer.normalize_multiterm(text)
        return text

    def _exact(self, field, text):
        if field.type.is_numeric:
            value = self._number(field, text)
            return NumericRangeQuery(field.name, value, value)
        return TermQuery(field.name, text)

    def _term_query(self, field, text, quoted=False, slop=None):
        kind = field.kind
        if kind == "text":
            analyzer = field.type.query_analyzer
            tokens, _ = analyzer.analyze(text)
            if not tokens:
                return None
            index_an = field.type.index_analyzer
            if index_an is not None and index_an.is_ngram:
                return NgramQuery(field.name, [t for t, _ in tokens])
            positions = {}
            for term, pos in tokens:
                positions.setdefault(pos, []).append(term)
            if len(positions) == 1:
                alts = next(iter(positions.values()))
                if len(alts) == 1:
                    return TermQuery(field.name, alts[0])
                return BooleanQuery(should=[TermQuery(field.name, t) for t in alts])
            return PhraseQuery(field.name, sorted(positions.items()), slop=slop or 0)
        if kind == "bool":
            return TermQuery(field.name, "true" if text[:1] in ("t", "T", "1") else "false")
        return self._exact(field, text)

    def _number(self, field, text):
        if field.kind == "date":
            return datemath.parse_date(text, now=self.now)
        try:
            return float(text)
        except ValueError:
            raise SolrError(f"Invalid Number: {text} (field {field.name})") from None

    def _range(self, node):
        if node.field is None:
            if not self._df:
                raise SolrError("no field name specified in query and no default specified via 'df' param")
            name = self._df
        else:
            name = node.field
        field = self._field(name)
        if field.type.is_numeric:
            low = None if node.low is None else self._number(field, node.low)
            high = None if node.high is None else self._number(field, node.high)
            return NumericRangeQuery(field.name, low, high, node.include_low, node.include_high)
        low = None if node.low is None else self._multiterm(field, node.low)
        high = None if node.high is None else self._multiterm(field, node.high)
        label = f"{field.name}:[{node.low} TO {node.high}]"
        return TermSetQuery(field.name, range_selector(low, high, node.include_low, node.include_high), label=label)
