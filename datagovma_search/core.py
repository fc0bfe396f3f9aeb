"""A search core: the schema, the durable store and the in-memory index behind one lock, with
Solr's update semantics (add, delete by id or query, commit, rollback) and its /select."""

import logging
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager

import numpy as np

from . import datemath
from .engine import Deadline, Index, SearchContext, facet_counts, term_scans, top_ordinals, top_terms
from .errors import SolrError
from .query_builder import QueryBuilder, parse_sort
from .schema import Schema
from .store import Store

log = logging.getLogger(__name__)

FILTER_CACHE_SIZE = 256

# Defaults of the limits that keep one request from holding the service (cli.py has the flags):
# the time a search may take (Solr's timeAllowed, in ms; a request asks for less, never more),
# the terms a regexp, wildcard, fuzzy, prefix or range query may match (Solr refuses a query
# past maxClauseCount, 1024; a prefix on a portal of 100,000 datasets legitimately matches more,
# and the cost of a term is a microsecond), and the length of such a pattern.
TIME_ALLOWED_MS = 5_000
MAX_TERMS = 65_536
MAX_PATTERN_LENGTH = 256


TEXTUAL = ("string", "text", "binary")  # field kinds whose values are kept as the strings sent


def _as_int(params, name, default):
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SolrError(f"Invalid Number: {value} (parameter '{name}')") from None


class Core:
    def __init__(
        self,
        schema_path,
        data_dir,
        name="ckan",
        max_rows=200_000,
        time_allowed_ms=TIME_ALLOWED_MS,
        max_terms=MAX_TERMS,
        max_pattern_length=MAX_PATTERN_LENGTH,
    ):
        self.name = name
        self.schema = Schema(schema_path)
        self._with_default = [f for f in self.schema.fields.values() if f.default is not None]
        self._required = [f for f in self.schema.fields.values() if f.required]
        self.max_rows = max_rows
        self.time_allowed_ms = time_allowed_ms or None  # 0: no limit
        self.max_terms = max_terms or None
        self.max_pattern_length = max_pattern_length or None
        self.store = Store(data_dir)
        self.lock = threading.RLock()
        self._filter_cache = OrderedDict()
        self._pending_removals = []
        self._searching = 0  # searches under way (so that long scans let the others go first)
        self._searching_lock = threading.Lock()
        self.started = time.time()
        self._load()

    # --- lifecycle ----------------------------------------------------------------------

    def _load(self):
        self.index = Index(self.schema)
        for rowid, key, doc in self.store.all_documents():
            self.index.add(key, rowid, self.with_copies(doc))
        self.index.commit()
        self._pending_removals = []
        # Retired versions left by an earlier crash between write and cleanup: drop them.
        dead = [self.index.rowids[o] for o in range(self.index.n) if not self.index.visible.data[o]]
        if dead:
            self.store.remove(dead)
            self.store.commit()
        self._filter_cache.clear()

    def close(self):
        with self.lock:
            self.store.close()

    # --- documents ----------------------------------------------------------------------

    def normalize(self, raw):
        """An input document -> {field: [typed values]} after types, defaults and copyFields;
        raises SolrError with Solr's wording for anything Solr would refuse."""
        if not isinstance(raw, dict):
            raise SolrError(f"Document must be a JSON object, got {type(raw).__name__}")
        key_name = self.schema.unique_key
        doc_id = raw.get(key_name) if key_name else None
        label = f"[doc={doc_id}]" if doc_id is not None else "[doc=null]"
        doc = {}
        for name, value in raw.items():
            if isinstance(value, dict):
                raise SolrError(f"ERROR: {label} atomic updates are not supported (field '{name}')")
            field = self.schema.field(name)
            if field is None:
                raise SolrError(f"ERROR: {label} unknown field '{name}'")
            textual = field.type.kind in TEXTUAL
            if type(value) is str and textual:  # most values of a CKAN document: kept as sent
                doc[name] = [value]
                continue
            values = value if isinstance(value, list) else [value]
            if textual and all(type(v) is str for v in values):
                values = list(values)
            else:
                values = [self._convert(field, v, label) for v in values if v is not None]
            if not values:
                continue
            if not field.multi_valued and len(values) > 1:
                raise SolrError(f"ERROR: {label} multiple values encountered for non multiValued field {name}: {value}")
            doc[name] = values
        for field in self._with_default:
            if field.name not in doc:
                doc[field.name] = [self._convert(field, field.default, label)]
        if key_name and key_name not in doc:
            raise SolrError(f"Document is missing mandatory uniqueKey field: {key_name}")
        for field in self._required:
            if field.name not in doc:
                raise SolrError(f"ERROR: {label} missing required field: {field.name}")
        return doc

    def with_copies(self, doc, label="[doc]"):
        """The document plus its copyField destinations (computed, never stored: the store keeps
        what was sent, so a schema change takes effect on the next start)."""
        indexed = dict(doc)
        for source, values in doc.items():
            targets = self.schema.copy_targets(source)
            if not targets:
                continue
            if self.schema.field(source).kind == "date":
                values = [datemath.format_ms(v) for v in values]
            strings = all(type(v) is str for v in values)
            for dest in targets:
                field = self.schema.field(dest)
                target = indexed[dest] = list(indexed.get(dest, ()))
                if strings and field.kind in TEXTUAL:
                    target.extend(values)
                else:
                    target.extend(self._convert(field, v, label) for v in values)
                if not field.multi_valued and len(target) > 1:
                    raise SolrError(
                        f"ERROR: {label} multiple values encountered for non multiValued copy field {dest}: {source}"
                    )
        return indexed

    def _convert(self, field, value, label):
        kind = field.kind
        if kind in ("string", "text", "binary"):
            if isinstance(value, bool):
                return "true" if value else "false"
            return value if isinstance(value, str) else str(value)
        if kind == "bool":
            if isinstance(value, bool):
                return "true" if value else "false"
            return "true" if str(value)[:1] in ("t", "T", "1") else "false"
        if kind == "date":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return int(value)
            try:
                return datemath.parse_date(str(value))
            except SolrError:
                raise SolrError(
                    f"ERROR: {label} Error adding field '{field.name}'='{value}' msg=Invalid Date String:'{value}'"
                ) from None
        try:
            number = float(value) if kind in ("float", "double") else int(str(value).strip())
        except (TypeError, ValueError):
            raise SolrError(
                f"ERROR: {label} Error adding field '{field.name}'='{value}' msg=For input string: \"{value}\""
            ) from None
        return number

    def add(self, docs, overwrite=True):
        """Adds documents (visible after the next commit). All are validated before any is
        written, so a bad document leaves the index as it was."""
        normalized = []
        for raw in docs:
            doc = self.normalize(raw)
            normalized.append((doc, self.with_copies(doc, f"[doc={doc[self.schema.unique_key][0]}]")))
        key_name = self.schema.unique_key
        with self.lock:
            for doc, indexed in normalized:
                key = doc[key_name][0]
                old = self.index.key_ord.get(key)
                rowid = self.store.add(key, doc)
                self.index.add(key, rowid, indexed)
                if old is not None:
                    self._pending_removals.append(self.index.rowids[old])
        return len(normalized)

    def delete_ids(self, ids):
        with self.lock:
            ords = [self.index.key_ord[i] for i in ids if i in self.index.key_ord]
            self._retire(ords)

    def delete_query(self, q):
        builder = QueryBuilder(self, {"q.op": "AND", "df": "text"})
        query = builder.lucene(q, top=True)
        deadline = Deadline()  # a delete is never partial
        with self._locked_after_scans(term_scans(query), deadline):
            ctx = self._context(use_latest=True, deadline=deadline)
            mask, _ = query.run(ctx)
            mask &= ctx.live
            self._retire([int(o) for o in np.flatnonzero(mask)])

    def _retire(self, ords):
        for o in ords:
            self._pending_removals.append(self.index.rowids[o])
        self.index.delete(ords)

    def commit(self):
        with self.lock:
            self.store.remove(self._pending_removals)
            self.store.commit()
            self._pending_removals = []
            self.index.commit()
            self._filter_cache.clear()
            if self.index.dead_count > max(50_000, 2 * self.index.live_count):
                self.optimize()

    def rollback(self):
        with self.lock:
            self.store.rollback()
            self._load()

    def optimize(self):
        """Re-reads the committed documents into a fresh index, dropping retired versions."""
        with self.lock:
            self.store.remove(self._pending_removals)
            self.store.commit()
            self._pending_removals = []
            self._load()

    # --- search -------------------------------------------------------------------------

    def _context(self, use_latest=False, deadline=None):
        ctx = SearchContext(self.index, use_latest, deadline, self.max_terms)
        ctx.token_loader = self._token_streams
        return ctx

    @contextmanager
    def _locked_after_scans(self, scans, deadline):
        """Holds the lock, the term scans of a query (regexp, wildcard, fuzzy) done: they try the
        terms of the dictionary outside the lock, so that a long one delays no other request;
        under the lock they only try the terms added since. A rollback or optimize in between
        replaces the index and its term numbers: the scans start again, outside the lock (a third
        time, under it, the deadline bounding them). So a query sees the index as of one moment,
        as if it had held the lock throughout."""
        for attempt in range(3):
            index = self.index
            for scan in scans:
                scan.expand(index, deadline, self.max_terms, polite=self._others_searching)
            self.lock.acquire()
            if self.index is index or attempt == 2:
                break
            self.lock.release()
        try:
            yield
        finally:
            self.lock.release()

    def _others_searching(self):
        return self._searching > 1

    def _time_allowed(self, single):
        """The request's budget in ms: its timeAllowed, at most the service's (which also bounds
        the requests that send none; Solr reads 0 or less as none)."""
        asked = _as_int(single, "timeAllowed", 0)
        limit = self.time_allowed_ms
        if asked <= 0:
            return limit
        return asked if limit is None else min(asked, limit)

    def _token_streams(self, ords, field_name):
        """Re-analyses the source of candidate documents for phrase checks."""
        field = self.schema.field(field_name)
        analyzer = field.type.index_analyzer
        docs = self.store.load([self.index.rowids[o] for o in ords])
        streams = {}
        for o in ords:
            doc = self.with_copies(docs.get(self.index.rowids[o], {}))
            values = doc.get(field_name, [])
            tokens = []
            pos = 0
            for value in values:
                analyzed, pos = analyzer.analyze(str(value), pos)
                tokens.extend(analyzed)
                pos += field.type.position_gap
            streams[int(o)] = tokens
        return streams

    def _filter_mask(self, fq, builder, ctx, query=None):
        key = (fq, self.index.generation, builder.cache_key())
        cached = self._filter_cache.get(key)
        if cached is not None:
            self._filter_cache.move_to_end(key)
            if len(cached) < ctx.n:  # documents added since are not committed, so not visible
                cached = np.concatenate([cached, np.zeros(ctx.n - len(cached), dtype=np.bool_)])
            return cached
        mask, _ = (query or builder.filter(fq)).run(ctx)
        mask = mask & ctx.live
        if ctx.deadline.hit:  # cut short: partial, not to be served again
            return mask
        self._filter_cache[key] = mask
        if len(self._filter_cache) > FILTER_CACHE_SIZE:
            self._filter_cache.popitem(last=False)
        return mask

    def select(self, params):
        """Solr's /select: params is a dict of lists (as parse_qs gives)."""
        with self._searching_lock:
            self._searching += 1
        try:
            return self._select(params)
        finally:
            with self._searching_lock:
                self._searching -= 1

    def _select(self, params):
        started = time.perf_counter()
        single = {k: v[-1] for k, v in params.items() if v}
        start = _as_int(single, "start", 0)
        rows = _as_int(single, "rows", 10)
        if start < 0:
            raise SolrError(f"'start' parameter cannot be negative (start={start})")
        if rows < 0:
            raise SolrError(f"'rows' parameter cannot be negative (rows={rows})")
        if rows > self.max_rows:
            raise SolrError(
                f"rows={rows} is more than this service allows ({self.max_rows}); "
                "page through the results with start and rows"
            )
        wt = single.get("wt", "json")
        if wt not in ("json", "python"):
            raise SolrError(f"this service answers wt=json only (wt={wt} requested)")
        for unsupported in ("bf", "boost", "group", "cursorMark", "bq"):
            if single.get(unsupported):
                raise SolrError(f"the parameter '{unsupported}' is not supported by this search service")
        sort_spec = parse_sort(self.schema, single.get("sort"))
        fl = self._field_list(single.get("fl"))
        deadline = Deadline(self._time_allowed(single))
        # Parsed, and their term scans done, before the lock is taken (_locked_after_scans); the
        # filters already cached need neither.
        builder = QueryBuilder(self, single)
        query = builder.main_query()
        filters = [fq for fq in params.get("fq", []) if fq and fq.strip()]
        generation = self.index.generation
        parsed = {
            fq: builder.filter(fq)
            for fq in filters
            if (fq, generation, builder.cache_key()) not in self._filter_cache
        }
        scans = [scan for q in (query, *parsed.values()) for scan in term_scans(q)]
        with self._locked_after_scans(scans, deadline):
            ctx = self._context(deadline=deadline)
            mask, scores = query.run(ctx)
            mask &= ctx.live
            for fq in filters:
                mask &= self._filter_mask(fq, builder, ctx, parsed.get(fq))
            num_found = int(np.count_nonzero(mask))
            want_scores = scores if scores is not None else mask.astype(np.float32)
            top = top_ordinals(self.index, mask, want_scores, sort_spec, start + rows)[start:]
            docs = self._documents(top, fl, want_scores)
            response = {"numFound": num_found, "start": start, "numFoundExact": True, "docs": docs}
            if "score" in fl[1]:
                response["maxScore"] = float(want_scores[mask].max()) if num_found else 0.0
            result = {"responseHeader": {"status": 0, "QTime": 0, "params": single}, "response": response}
            if deadline.hit:  # as Solr past timeAllowed: what was found in time
                result["responseHeader"]["partialResults"] = True
            if single.get("facet") in ("true", "on") and params.get("facet.field"):
                result["facet_counts"] = {
                    "facet_queries": {},
                    "facet_fields": self._facets(params, single, mask),
                    "facet_ranges": {},
                    "facet_intervals": {},
                    "facet_heatmaps": {},
                }
        result["responseHeader"]["QTime"] = int((time.perf_counter() - started) * 1000)
        return result

    def _field_list(self, fl):
        """'id validated_data_dict' / 'id,name' / '*,score' -> (patterns, pseudo fields)."""
        names = [n for n in (fl or "*").replace(",", " ").split() if n]
        pseudo = {n for n in names if n == "score"}
        fields = [n for n in names if n != "score"] or (["*"] if not pseudo else [])
        return fields, pseudo

    def _documents(self, ords, fl, scores):
        patterns, pseudo = fl
        # fl=id validated_data_dict (CKAN's searches): a set lookup per stored field instead of
        # matching every field of every document against each pattern
        if any("*" in p for p in patterns):
            wanted = lambda name: self._wanted(name, patterns)  # noqa: E731
        else:
            wanted = set(patterns).__contains__
        rowids = [self.index.rowids[o] for o in ords]
        stored = self.store.load(rowids)
        docs = []
        for o, rowid in zip(ords, rowids, strict=True):
            source = stored.get(rowid, {})
            out = {}
            for name, values in source.items():
                field = self.schema.field(name) if wanted(name) else None
                if field is None or not field.stored:
                    continue
                rendered = [
                    datemath.format_ms(v) if field.kind == "date" else (v == "true") if field.kind == "bool" else v
                    for v in values
                ]
                out[name] = rendered if field.multi_valued else rendered[0]
            if "score" in pseudo:
                out["score"] = float(scores[o])
            docs.append(out)
        return docs

    @staticmethod
    def _wanted(name, patterns):
        for p in patterns:
            if (
                p == "*"
                or p == name
                or (p.endswith("*") and name.startswith(p[:-1]))
                or (p.startswith("*") and name.endswith(p[1:]))
            ):
                return True
        return False

    def _facets(self, params, single, mask):
        out = {}
        for name in params.get("facet.field", []):

            def param(key, _name=name):
                """The parameter that sets this facet option: per field (f.<field>.facet.x) or global."""
                per_field = f"f.{_name}.facet.{key}"
                return per_field if per_field in single else f"facet.{key}"

            field = self.schema.field(name)
            if field is None:
                raise SolrError(f"undefined field {name}")
            if not field.indexed:
                raise SolrError(f"can not facet on field {name}: it is not indexed")
            limit = _as_int(single, param("limit"), 100)
            mincount = _as_int(single, param("mincount"), 0)
            offset = _as_int(single, param("offset"), 0)
            prefix = single.get(param("prefix"))
            order = single.get(param("sort"), "count" if limit > 0 else "index")
            if order not in ("count", "index", "true", "false"):
                raise SolrError(f"Unknown facet sort value: {order}")
            counts, terms = facet_counts(self.index, name, mask)
            by_count = order in ("count", "true")
            if terms is not None and len(terms) and not prefix:
                # chosen and ordered by numpy: a keywords facet has thousands of terms, of which a
                # page shows 50
                pairs = top_terms(self.index, name, counts, mincount, by_count, offset, limit)
            else:
                if terms is None:  # numeric field: {value: count}
                    fmt = (
                        (lambda v: datemath.format_ms(v))
                        if field.kind == "date"
                        else ((lambda v: str(int(v))) if field.kind in ("int", "long") else str)
                    )
                    pairs = [(fmt(v), c) for v, c in sorted(counts.items())]
                else:
                    pairs = [(terms[t], int(c)) for t, c in enumerate(counts)]
                if prefix:
                    pairs = [p for p in pairs if p[0].startswith(prefix)]
                pairs = [p for p in pairs if p[1] >= mincount]
                pairs.sort(key=(lambda p: (-p[1], p[0])) if by_count else (lambda p: p[0]))
                pairs = pairs[offset:]
                if limit >= 0:
                    pairs = pairs[:limit]
            flat = []
            for value, count in pairs:
                flat.extend((value, count))
            out[name] = flat
        return out

    def stats(self):
        with self.lock:
            return {
                "documents": self.index.live_count,
                "retired_versions": self.index.dead_count,
                "pending": self.index.pending(),
                "generation": self.index.generation,
            }
