"""The in-memory index: postings per field and term, columns for sorting and facets, and the
query objects that evaluate against them as dense numpy masks and BM25 scores.

Documents get ordinals in the order they are added; an update adds a new ordinal and retires the
old one. Two masks say which ordinals are live: ``latest`` (all writes, committed or not) and
``visible`` (as of the last commit), which is what searches see.
"""

import bisect
import math
import time
from array import array
from collections import Counter

import numpy as np

from .errors import SolrError

K1 = 1.2
B = 0.75


class GrowArray:
    """A numpy column indexed by ordinal that grows by doubling."""

    def __init__(self, dtype, fill):
        self.dtype = dtype
        self.fill = fill
        self.data = np.full(1024, fill, dtype=dtype)

    def ensure(self, n):
        if n > len(self.data):
            size = len(self.data)
            while size < n:
                size *= 2
            grown = np.full(size, self.fill, dtype=self.dtype)
            grown[: len(self.data)] = self.data
            self.data = grown

    def view(self, n):
        return self.data[:n]


class FieldData:
    """Everything indexed for one concrete field."""

    def __init__(self, field):
        self.field = field
        self.kind = field.kind
        self.is_text = field.kind == "text"
        self.is_numeric = field.type.is_numeric
        self.multi = field.multi_valued
        analyzer = field.type.index_analyzer
        self.is_ngram = bool(self.is_text and analyzer is not None and analyzer.is_ngram)
        self.terms = {}
        self.term_list = []
        self.postings = []
        self.freqs = []
        self._sorted = None
        self._ranks = None
        self._occ_cache = None
        if self.is_text:
            self.doclen = GrowArray(np.float32, 0)
            self.total_len = 0.0
            self.docs_with_field = 0
            self.ngram_text = {}
        elif self.is_numeric:
            if self.multi:
                self.occ_ords = array("i")
                self.occ_vals = array("d")
            else:
                self.numbers = GrowArray(np.float64, np.nan)
        else:
            if self.multi:
                self.occ_ords = array("i")
                self.occ_tids = array("i")
            else:
                self.single = GrowArray(np.int32, -1)

    def tid(self, term):
        tid = self.terms.get(term)
        if tid is None:
            tid = len(self.term_list)
            self.terms[term] = tid
            self.term_list.append(term)
            self.postings.append(array("i"))
            if self.is_text:
                self.freqs.append(array("B"))
            self._sorted = None
            self._ranks = None
        return tid

    def sorted_terms(self):
        if self._sorted is None:
            self._sorted = sorted(self.term_list)
        return self._sorted

    def ranks(self):
        """tid -> rank of the term in sorted order (for sorting by a string field)."""
        if self._ranks is None:
            order = sorted(range(len(self.term_list)), key=self.term_list.__getitem__)
            ranks = np.empty(len(order) + 1, dtype=np.int64)
            ranks[np.array(order, dtype=np.int64)] = np.arange(len(order))
            ranks[-1] = len(order)  # missing (-1) sorts after everything
            self._ranks = ranks
        return self._ranks

    def ords_of(self, tid):
        return np.frombuffer(self.postings[tid], dtype=np.int32) if len(self.postings[tid]) else np.empty(0, np.int32)


class Index:
    def __init__(self, schema):
        self.schema = schema
        self.n = 0
        self.fields = {}
        self.visible = GrowArray(np.bool_, False)
        self.latest = GrowArray(np.bool_, False)
        self.keys = []
        self.rowids = []
        self.key_ord = {}
        self.generation = 0
        self.live_count = 0

    # --- writing ------------------------------------------------------------------------

    def field_data(self, name):
        fd = self.fields.get(name)
        if fd is None:
            field = self.schema.field(name)
            fd = FieldData(field)
            self.fields[name] = fd
        return fd

    def add(self, key, rowid, doc):
        """Indexes a normalised document ({field: [values]}); returns its ordinal."""
        ord_ = self.n
        self.n += 1
        self.visible.ensure(self.n)
        self.latest.ensure(self.n)
        old = self.key_ord.get(key)
        if old is not None:
            self.latest.data[old] = False
        self.key_ord[key] = ord_
        self.latest.data[ord_] = True
        self.keys.append(key)
        self.rowids.append(rowid)
        analysed = {}  # title and notes are also copied into text: analyse each value once
        for name, values in doc.items():
            field = self.schema.field(name)
            if field is None or not field.indexed or not values:
                continue
            self._index_field(self.field_data(name), ord_, values, analysed)
        return ord_

    def _index_field(self, fd, ord_, values, analysed):
        if fd.is_text:
            analyzer = fd.field.type.index_analyzer
            if fd.is_ngram:
                fd.ngram_text[ord_] = "\x00".join(values).lower()
                return
            terms = []
            for value in values:
                key = (id(analyzer), value)
                found = analysed.get(key)
                if found is None:
                    found = analysed[key] = analyzer.index_terms(value)
                terms.extend(found)
            if not terms:
                return
            fd.doclen.ensure(ord_ + 1)
            fd.doclen.data[ord_] = len(terms)
            fd.total_len += len(terms)
            fd.docs_with_field += 1
            known, postings, freqs = fd.terms, fd.postings, fd.freqs
            for term, tf in Counter(terms).items():
                tid = known.get(term)
                if tid is None:
                    tid = fd.tid(term)
                postings[tid].append(ord_)
                freqs[tid].append(tf if tf < 255 else 255)
            fd._occ_cache = None
        elif fd.is_numeric:
            if fd.multi:
                for v in set(values):
                    fd.occ_ords.append(ord_)
                    fd.occ_vals.append(v)
            else:
                fd.numbers.ensure(ord_ + 1)
                fd.numbers.data[ord_] = values[0]
        else:
            seen = set()
            for value in values:
                if value in seen:
                    continue
                seen.add(value)
                tid = fd.tid(value)
                fd.postings[tid].append(ord_)
                if fd.multi:
                    fd.occ_ords.append(ord_)
                    fd.occ_tids.append(tid)
                else:
                    fd.single.ensure(ord_ + 1)
                    fd.single.data[ord_] = tid

    def delete(self, ords):
        for o in ords:
            if self.latest.data[o]:
                self.latest.data[o] = False
                if self.key_ord.get(self.keys[o]) == o:
                    del self.key_ord[self.keys[o]]

    def commit(self):
        n = self.n
        self.visible.data[:n] = self.latest.data[:n]
        self.live_count = int(np.count_nonzero(self.visible.data[:n]))
        self.generation += 1

    def pending(self):
        n = self.n
        return bool(np.any(self.visible.data[:n] != self.latest.data[:n]))

    @property
    def dead_count(self):
        return self.n - self.live_count

    # --- reading ------------------------------------------------------------------------

    def new_context(self, use_latest=False):
        return SearchContext(self, use_latest)


class Deadline:
    """A request's time budget (Solr's timeAllowed). The loops of a query that can be long (trying
    every term of a field, checking phrases) ask ``passed()`` between chunks and stop once it has
    passed, keeping what they found: ``hit`` then says that the results are partial."""

    def __init__(self, ms=None):
        self.at = None if ms is None else time.monotonic() + ms / 1000
        self.hit = False

    def passed(self):
        if self.at is not None and time.monotonic() >= self.at:
            self.hit = True
        return self.hit


class SearchContext:
    """One evaluation: the ordinal count and live mask it sees, a phrase verifier, the request's
    deadline and the most terms a multi-term query may expand to."""

    def __init__(self, index, use_latest=False, deadline=None, max_terms=None):
        self.index = index
        self.n = index.n
        self.live = (index.latest if use_latest else index.visible).view(self.n)
        self.doc_count = max(int(np.count_nonzero(self.live)), 1)
        self.token_loader = None  # set by the core: (ords, field) -> {ord: [(term, pos)]}
        self.deadline = deadline or Deadline()
        self.max_terms = max_terms

    def empty(self):
        return np.zeros(self.n, dtype=np.bool_), None


# --- queries ------------------------------------------------------------------------------
# run(ctx) -> (mask: bool[n], scores: float32[n] or None meaning a constant score of 1 * boost)


def _scores(ctx, mask, scores, boost=1.0):
    if scores is None:
        return mask.astype(np.float32) * np.float32(boost)
    return scores if boost == 1.0 else scores * np.float32(boost)


class Query:
    boost = 1.0

    def run(self, ctx):
        raise NotImplementedError

    def children(self):
        return ()


def term_scans(query):
    """The TermScanQuery objects of a query tree (to expand before taking the core's lock)."""
    found, todo = [], [query]
    while todo:
        q = todo.pop()
        if isinstance(q, TermScanQuery):
            found.append(q)
        todo.extend(q.children())
    return found


def too_many_terms(label, limit):
    return SolrError(
        f"{label} matches more than {limit} terms, the most a query may expand to on this search service "
        "(as Solr's maxClauseCount); make the pattern more specific"
    )


class MatchNone(Query):
    def run(self, ctx):
        return ctx.empty()


class MatchAll(Query):
    def run(self, ctx):
        return np.ones(ctx.n, dtype=np.bool_), None


class TermQuery(Query):
    def __init__(self, field_name, term, boost=1.0):
        self.field_name = field_name
        self.term = term
        self.boost = boost

    def run(self, ctx):
        fd = ctx.index.fields.get(self.field_name)
        if fd is None:
            return ctx.empty()
        if fd.is_ngram:
            return NgramQuery(self.field_name, [self.term], self.boost).run(ctx)
        tid = fd.terms.get(self.term)
        if tid is None:
            return ctx.empty()
        ords = fd.ords_of(tid)
        mask = np.zeros(ctx.n, dtype=np.bool_)
        mask[ords] = True
        df = len(ords)
        # df counts retired versions until the next optimize (as Lucene's does until a merge)
        idf = math.log(1 + (max(ctx.doc_count, df) - df + 0.5) / (df + 0.5))
        scores = np.zeros(ctx.n, dtype=np.float32)
        if fd.is_text:
            tf = np.frombuffer(fd.freqs[tid], dtype=np.uint8).astype(np.float32)
            dl = fd.doclen.data[ords]
            avgdl = fd.total_len / max(fd.docs_with_field, 1)
            scores[ords] = idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avgdl)) * self.boost
        else:
            scores[ords] = idf * self.boost
        return mask, scores


class TermSetQuery(Query):
    """Any of a set of terms of one field found in the sorted dictionary (prefix, range),
    constant score."""

    def __init__(self, field_name, selector, boost=1.0, label=None):
        self.field_name = field_name
        self.selector = selector  # FieldData -> iterable of tids
        self.boost = boost
        self.label = label or field_name

    def run(self, ctx):
        fd = ctx.index.fields.get(self.field_name)
        mask = np.zeros(ctx.n, dtype=np.bool_)
        if fd is None:
            return mask, None
        tids = list(self.selector(fd))
        if ctx.max_terms is not None and len(tids) > ctx.max_terms:
            raise too_many_terms(self.label, ctx.max_terms)
        if tids:
            parts = [fd.ords_of(t) for t in tids]
            mask[np.concatenate(parts)] = True
        return mask, None


class TermScanQuery(Query):
    """The terms of one field that a predicate accepts (regular expression, wildcard, fuzzy),
    constant score. Trying every term is the long part of such a query: ``expand`` does it
    without the core's lock (the core calls it first), on the terms the dictionary holds then,
    which never change (a dictionary only grows, until a rollback or optimize replaces the
    index); ``run``, under the lock, only tries the terms added since. Both stop at the deadline
    and refuse a query whose terms would exceed ``max_terms``."""

    # Terms tried between two looks at the clock: from a few, doubled while a chunk takes under
    # 2 ms (a regexp tries a term in a microsecond, a fuzzy match on long terms in milliseconds).
    FIRST_CHUNK = 4
    MAX_CHUNK = 8192

    def __init__(self, field_name, predicate, boost=1.0, label=None):
        self.field_name = field_name
        self.predicate = predicate  # term -> bool, in time linear in the term (patterns.py)
        self.boost = boost
        self.label = label or field_name
        self._index = None
        self._tried = 0
        self.tids = []

    def expand(self, index, deadline, max_terms, polite=None):
        """Tries the terms not tried yet. ``polite`` (outside the lock): a callable saying whether
        other searches are running; between chunks the scan hands them the interpreter (the GIL),
        for a millisecond when there are some, so that a long scan lets short searches go first."""
        if index is not self._index:
            self._index, self._tried, self.tids = index, 0, []
        fd = index.fields.get(self.field_name)
        if fd is None:
            return
        terms = fd.term_list
        end = len(terms)
        match = self.predicate
        size = self.FIRST_CHUNK
        while self._tried < end:
            if deadline.passed():
                return
            started = time.perf_counter()
            start = self._tried
            stop = min(end, start + size)
            self.tids.extend(start + i for i, term in enumerate(terms[start:stop]) if match(term))
            self._tried = stop
            if max_terms is not None and len(self.tids) > max_terms:
                raise too_many_terms(self.label, max_terms)
            if size < self.MAX_CHUNK and time.perf_counter() - started < 0.002:
                size *= 2
            if polite is not None:
                time.sleep(0.001 if polite() else 0)

    def run(self, ctx):
        mask = np.zeros(ctx.n, dtype=np.bool_)
        fd = ctx.index.fields.get(self.field_name)
        if fd is None:
            return mask, None
        self.expand(ctx.index, ctx.deadline, ctx.max_terms)
        if self.tids:
            mask[np.concatenate([fd.ords_of(t) for t in self.tids])] = True
        return mask, None


def prefix_selector(prefix):
    def select(fd):
        terms = fd.sorted_terms()
        lo = bisect.bisect_left(terms, prefix)
        hi = bisect.bisect_left(terms, prefix + "\U0010ffff")
        return [fd.terms[t] for t in terms[lo:hi]]

    return select


def range_selector(low, high, include_low, include_high):
    def select(fd):
        terms = fd.sorted_terms()
        lo = 0 if low is None else (bisect.bisect_left if include_low else bisect.bisect_right)(terms, low)
        hi = len(terms) if high is None else (bisect.bisect_right if include_high else bisect.bisect_left)(terms, high)
        return [fd.terms[t] for t in terms[lo:hi]]

    return select


def _edit_distance_within(a, b, limit):
    if abs(len(a) - len(b)) > limit:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            best = min(best, cur[j])
        if best > limit:
            return False
        prev = cur
    return prev[-1] <= limit


def fuzzy_predicate(term, max_edits):
    return lambda candidate: _edit_distance_within(term, candidate, max_edits)


class ExistsQuery(Query):
    def __init__(self, field_name):
        self.field_name = field_name

    def run(self, ctx):
        fd = ctx.index.fields.get(self.field_name)
        mask = np.zeros(ctx.n, dtype=np.bool_)
        if fd is None:
            return mask, None
        if fd.is_ngram:
            mask[list(fd.ngram_text)] = True
        elif fd.is_text:
            m = min(len(fd.doclen.data), ctx.n)
            mask[:m] = fd.doclen.data[:m] > 0
        elif fd.is_numeric:
            if fd.multi:
                mask[np.frombuffer(fd.occ_ords, dtype=np.int32)] = True
            else:
                m = min(len(fd.numbers.data), ctx.n)
                mask[:m] = ~np.isnan(fd.numbers.data[:m])
        elif fd.multi:
            mask[np.frombuffer(fd.occ_ords, dtype=np.int32)] = True
        else:
            m = min(len(fd.single.data), ctx.n)
            mask[:m] = fd.single.data[:m] >= 0
        return mask, None


class NumericRangeQuery(Query):
    def __init__(self, field_name, low, high, include_low=True, include_high=True, boost=1.0):
        self.field_name = field_name
        self.low, self.high = low, high
        self.include_low, self.include_high = include_low, include_high
        self.boost = boost

    def _test(self, values):
        ok = ~np.isnan(values)
        if self.low is not None:
            ok &= (values >= self.low) if self.include_low else (values > self.low)
        if self.high is not None:
            ok &= (values <= self.high) if self.include_high else (values < self.high)
        return ok

    def run(self, ctx):
        fd = ctx.index.fields.get(self.field_name)
        mask = np.zeros(ctx.n, dtype=np.bool_)
        if fd is None:
            return mask, None
        if fd.multi:
            ords = np.frombuffer(fd.occ_ords, dtype=np.int32)
            vals = np.frombuffer(fd.occ_vals, dtype=np.float64)
            mask[ords[self._test(vals)]] = True
        else:
            m = min(len(fd.numbers.data), ctx.n)
            mask[:m] = self._test(fd.numbers.data[:m])
        return mask, None


class NgramQuery(Query):
    """Match on an n-gram field: every query token must be one of the field's grams, which is a
    substring test on the lower-cased source (grams outside min/max size never match)."""

    CHUNK = 4096  # documents tested between two looks at the clock

    def __init__(self, field_name, tokens, boost=1.0):
        self.field_name = field_name
        self.tokens = tokens
        self.boost = boost

    def run(self, ctx):
        fd = ctx.index.fields.get(self.field_name)
        mask = np.zeros(ctx.n, dtype=np.bool_)
        if fd is None or not self.tokens:
            return mask, None
        tok = fd.field.type.index_analyzer.tokenizer
        if any(not (tok.min_gram <= len(t) <= tok.max_gram) for t in self.tokens):
            return mask, None
        items = list(fd.ngram_text.items())
        for start in range(0, len(items), self.CHUNK):
            if ctx.deadline.passed():
                break
            chunk = items[start : start + self.CHUNK]
            mask[[o for o, text in chunk if all(t in text for t in self.tokens)]] = True
        return mask, None


class PhraseQuery(Query):
    """Terms at consecutive positions (within ``slop``) of a text field. Candidates come from
    the postings; positions are checked by re-analysing the stored source of each candidate."""

    CHUNK = 256  # candidates checked between two looks at the clock

    def __init__(self, field_name, positions, slop=0, boost=1.0):
        self.field_name = field_name
        self.positions = positions  # list of (relative position, [alternative terms])
        self.slop = int(slop or 0)
        self.boost = boost

    def run(self, ctx):
        fd = ctx.index.fields.get(self.field_name)
        if fd is None:
            return ctx.empty()
        mask = np.ones(ctx.n, dtype=np.bool_)
        scores = np.zeros(ctx.n, dtype=np.float32)
        for _, alternatives in self.positions:
            alt_mask = np.zeros(ctx.n, dtype=np.bool_)
            for term in alternatives:
                m, s = TermQuery(self.field_name, term, self.boost).run(ctx)
                alt_mask |= m
                if s is not None:
                    scores += s
            mask &= alt_mask
        mask &= ctx.live
        candidates = np.flatnonzero(mask)
        if len(candidates) and ctx.token_loader is not None:
            for start in range(0, len(candidates), self.CHUNK):
                chunk = candidates[start : start + self.CHUNK]
                if ctx.deadline.passed():  # not checked: not found
                    mask[candidates[start:]] = False
                    break
                streams = ctx.token_loader(chunk, self.field_name)
                for o in chunk:
                    if not self._matches(streams.get(int(o), [])):
                        mask[o] = False
        scores[~mask] = 0
        return mask, scores

    def _matches(self, stream):
        where = {}
        for term, pos in stream:
            where.setdefault(term, []).append(pos)
        first_rel, first_alts = self.positions[0]
        starts = sorted({p for t in first_alts for p in where.get(t, ())})
        for start in starts:
            ok = True
            for rel, alts in self.positions[1:]:
                target = start + rel - first_rel
                found = any(abs(p - target) <= self.slop for t in alts for p in where.get(t, ()))
                if not found:
                    ok = False
                    break
            if ok:
                return True
        return False


class BooleanQuery(Query):
    def __init__(self, must=(), should=(), must_not=(), filters=(), min_should=0, boost=1.0):
        self.must = list(must)
        self.should = list(should)
        self.must_not = list(must_not)
        self.filters = list(filters)
        self.min_should = min_should
        self.boost = boost

    def children(self):
        return self.must + self.should + self.must_not + self.filters

    def run(self, ctx):
        if not (self.must or self.should or self.filters):
            # A pure negative group matches nothing (Lucene); the top level is rewritten by the
            # query builder to *:* -x, as Solr does.
            return ctx.empty()
        mask = None
        scores = np.zeros(ctx.n, dtype=np.float32)
        for q in self.must:
            m, s = q.run(ctx)
            mask = m.copy() if mask is None else (mask & m)
            scores += _scores(ctx, m, s, q.boost)
        for q in self.filters:
            m, _ = q.run(ctx)
            mask = m.copy() if mask is None else (mask & m)
        if self.should:
            counts = np.zeros(ctx.n, dtype=np.int32)
            for q in self.should:
                m, s = q.run(ctx)
                counts += m
                scores += _scores(ctx, m, s, q.boost)
            need = self.min_should if (self.must or self.filters) else max(self.min_should, 1)
            if need > 0:
                ok = counts >= need
                mask = ok if mask is None else (mask & ok)
        for q in self.must_not:
            m, _ = q.run(ctx)
            mask &= ~m
        scores[~mask] = 0
        if self.boost != 1.0:
            scores *= np.float32(self.boost)
        return mask, scores


class DisMaxQuery(Query):
    def __init__(self, queries, tie=0.0, boost=1.0):
        self.queries = list(queries)
        self.tie = tie
        self.boost = boost

    def children(self):
        return self.queries

    def run(self, ctx):
        if not self.queries:
            return ctx.empty()
        mask = np.zeros(ctx.n, dtype=np.bool_)
        best = np.zeros(ctx.n, dtype=np.float32)
        total = np.zeros(ctx.n, dtype=np.float32)
        for q in self.queries:
            m, s = q.run(ctx)
            mask |= m
            sc = _scores(ctx, m, s, q.boost)
            np.maximum(best, sc, out=best)
            total += sc
        scores = best + np.float32(self.tie) * (total - best)
        if self.boost != 1.0:
            scores *= np.float32(self.boost)
        return mask, scores


# --- sorting and facets -------------------------------------------------------------------


def sort_keys(index, ords, scores, spec):
    """lexsort keys (least significant first) for ordering ``ords`` by ``spec``:
    a list of (field name or 'score', descending)."""
    keys = []
    for name, desc in reversed(spec):
        if name == "score":
            values = scores[ords].astype(np.float64) if scores is not None else np.ones(len(ords))
            keys.append(-values if desc else values)
            continue
        fd = index.fields.get(name)
        if fd is None:
            continue  # no document has the field: every value is missing
        if fd.is_numeric:
            values = np.full(len(ords), np.nan)
            m = len(fd.numbers.data)
            inside = ords < m
            values[inside] = fd.numbers.data[ords[inside]]
            missing = np.isnan(values)
            key = -values if desc else values.copy()
            key[missing] = np.inf if not fd.field.type.sort_missing_first else -np.inf
            keys.append(key)
        else:
            ranks = fd.ranks()
            tids = np.full(len(ords), -1, dtype=np.int64)
            m = len(fd.single.data)
            inside = ords < m
            tids[inside] = fd.single.data[ords[inside]]
            values = ranks[tids]
            missing = tids < 0
            key = (-values if desc else values).astype(np.float64)
            key[missing] = np.inf if not fd.field.type.sort_missing_first else -np.inf
            keys.append(key)
    return keys


def top_ordinals(index, mask, scores, spec, limit):
    """The first ``limit`` matching ordinals in sort order (ties by ordinal, as Solr by docid)."""
    ords = np.flatnonzero(mask)
    if not len(ords) or limit <= 0:
        return ords[:0]
    keys = sort_keys(index, ords, scores, spec)
    # Constant keys do not order anything; dropping them keeps the sort cheap for *:*.
    keys = [k for k in keys if len(k) and k.min() != k.max()]
    if not keys:
        return ords[:limit]
    primary = keys[-1]
    if limit < len(ords) // 4:
        kth = np.partition(primary, limit - 1)[limit - 1]
        keep = primary <= kth
        ords = ords[keep]
        keys = [k[keep] for k in keys]
    order = np.lexsort(keys) if len(keys) > 1 else np.argsort(keys[0], kind="stable")
    return ords[order[:limit]]


def facet_counts(index, name, mask):
    """{value: count} of a field over the matching documents (values as strings)."""
    fd = index.fields.get(name)
    if fd is None:
        return {}, []
    n = len(mask)
    if fd.is_numeric:
        if fd.multi:
            ords = np.frombuffer(fd.occ_ords, dtype=np.int32)
            vals = np.frombuffer(fd.occ_vals, dtype=np.float64)[mask[ords]]
        else:
            m = min(len(fd.numbers.data), n)
            col = fd.numbers.data[:m]
            vals = col[mask[:m] & ~np.isnan(col)]
        uniq, counts = np.unique(vals, return_counts=True)
        return dict(zip(uniq.tolist(), counts.tolist(), strict=True)), None
    if fd.is_text:
        if fd.is_ngram:
            raise SolrError(f"faceting on the n-gram field {name} is not supported")
        if fd._occ_cache is None or len(fd._occ_cache[0]) != sum(len(p) for p in fd.postings):
            ords = (
                np.concatenate([fd.ords_of(t) for t in range(len(fd.term_list))])
                if fd.term_list
                else np.empty(0, np.int32)
            )
            tids = np.repeat(np.arange(len(fd.term_list), dtype=np.int32), [len(p) for p in fd.postings])
            fd._occ_cache = (ords, tids)
        ords, tids = fd._occ_cache
        sel = tids[mask[ords]]
    elif fd.multi:
        ords = np.frombuffer(fd.occ_ords, dtype=np.int32)
        tids = np.frombuffer(fd.occ_tids, dtype=np.int32)
        sel = tids[mask[ords]]
    else:
        m = min(len(fd.single.data), n)
        col = fd.single.data[:m]
        sel = col[mask[:m] & (col >= 0)]
    counts = np.bincount(sel, minlength=len(fd.term_list)) if len(fd.term_list) else np.zeros(0, np.int64)
    return counts, fd.term_list


def top_terms(index, name, counts, mincount, by_count, offset, limit):
    """[(term, count)] from a string field's facet ``counts`` (facet_counts): the terms counted at
    least ``mincount`` times, by count then term (``by_count``) or by term, from ``offset``,
    ``limit`` of them (all if negative). Only the terms returned are looked at in Python."""
    fd = index.fields[name]
    counts = np.asarray(counts)
    tids = np.flatnonzero(counts >= mincount)
    ranks = fd.ranks()[tids]  # a term's place in sorted order
    order = np.lexsort((ranks, -counts[tids])) if by_count else np.argsort(ranks, kind="stable")
    tids = tids[order][offset:]
    if limit >= 0:
        tids = tids[:limit]
    return [(fd.term_list[t], int(counts[t])) for t in tids.tolist()]
