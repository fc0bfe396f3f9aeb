"""Regular expressions and wildcards of the Lucene query syntax, as predicates over terms that run
in time linear in the term's length, whatever the pattern.

Lucene runs a regexp query as an automaton intersected with the term dictionary, so no pattern
can make it backtrack. Python's ``re`` backtracks: ``/(.|.)*Z/`` took seconds per 20-character
term. We translate the Lucene syntax into RE2's and let RE2 (Google's engine, the ``google-re2``
wheel) match: RE2 guarantees linear-time matching and bounded memory (8 MB per pattern), it is
maintained, ships wheels for our Python, and matches a term in about a microsecond, where an
automaton of ours would step through it in Python one character at a time (over 100,000 ids, a
two-state automaton took 1.1 s, RE2 0.33 s, on the same loaded machine). What RE2 cannot express
(Lucene's intersection ``&``, complement ``~`` and named automata ``<name>``) is refused with a
400 rather than approximated.
"""

import re2

from .errors import SolrError

MAX_REPEAT = 1000  # RE2's own limit on {n,m}
MAX_INTERVAL = 1000  # a <n-m> interval is written out as its numbers: at most this many

_OPTIONS = re2.Options()
_OPTIONS.never_capture = True  # groups only group: no capture bookkeeping
_OPTIONS.log_errors = False  # a refused pattern is the client's error, not a log line

_ANY = "(?s:.)"  # Lucene's '.' is any character, newlines included
_CLASSES = {"d": "0-9", "s": r"\t\n\r ", "w": "0-9A-Z_a-z"}  # Lucene's \d \s \w (ASCII)
_RESERVED_AT_TERM_END = ")|"


def _literal(ch):
    return ch if ch.isascii() and ch.isalnum() else "\\x{%x}" % ord(ch)


def _class_char(ch):
    return "\\x{%x}" % ord(ch)


class _LuceneRegexp:
    """Lucene's RegExp grammar (all optional features on, as Solr's parser has them) written
    out in RE2 syntax. A recursive descent over the pattern: its length is bounded by the caller."""

    def __init__(self, text):
        self.s = text
        self.i = 0

    def error(self, what):
        return SolrError(f"Invalid regular expression /{self.s}/: {what} at position {self.i}")

    def more(self):
        return self.i < len(self.s)

    def peek(self, chars):
        return self.more() and self.s[self.i] in chars

    def next(self):
        if not self.more():
            raise self.error("unexpected end of pattern")
        ch = self.s[self.i]
        self.i += 1
        return ch

    def translate(self):
        out = self.union()
        if self.more():
            raise self.error("end of pattern expected")
        return out

    def union(self):
        parts = [self.concat()]
        while self.peek("|"):
            self.i += 1
            parts.append(self.concat())
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    def concat(self):
        items = []
        while self.more() and not self.peek(_RESERVED_AT_TERM_END):
            if self.peek("&"):
                raise self.error("the intersection operator '&' is not supported by this search service")
            items.append(self.repeat())
        return "".join(items)

    def repeat(self):
        expr = self.complement()
        while self.peek("?*+{"):
            op = self.next()
            if op != "{":
                expr = f"(?:{expr}){op}"
                continue
            low = self.number()
            high = low
            if self.peek(","):
                self.i += 1
                high = self.number() if not self.peek("}") else None
            if not self.peek("}"):
                raise self.error("expected '}'")
            self.i += 1
            if (high is not None and high < low) or max(low, high or 0) > MAX_REPEAT:
                raise self.error(f"invalid repetition {{{low},{'' if high is None else high}}}")
            bounds = f"{low}" if high == low else f"{low},{'' if high is None else high}"
            expr = f"(?:{expr}){{{bounds}}}"
        return expr

    def number(self):
        start = self.i
        while self.peek("0123456789"):
            self.i += 1
        if start == self.i:
            raise self.error("a number is expected")
        return int(self.s[start : self.i])

    def complement(self):
        if self.peek("~"):
            raise self.error("the complement operator '~' is not supported by this search service")
        if self.peek("["):
            return self.char_class()
        return self.simple()

    def char_class(self):
        self.i += 1
        negated = self.peek("^")
        if negated:
            self.i += 1
        items = []
        while not self.peek("]"):
            if not self.more():
                raise self.error("expected ']'")
            first = self.class_char()
            if first.startswith("["):  # \d, \w... inside a class
                items.append(first[1:-1])
                continue
            if self.peek("-") and self.i + 1 < len(self.s) and self.s[self.i + 1] != "]":
                self.i += 1
                last = self.class_char()
                if last.startswith("[") or ord(last) < ord(first):
                    raise self.error("invalid character range")
                items.append(f"{_class_char(first)}-{_class_char(last)}")
            else:
                items.append(_class_char(first))
        self.i += 1
        if not items:
            raise self.error("empty character class")
        return "[" + ("^" if negated else "") + "".join(items) + "]"

    def class_char(self):
        """One character of a class, or a predefined class as '[...]'."""
        ch = self.next()
        if ch != "\\":
            return ch
        ch = self.next()
        if ch.lower() in _CLASSES:
            if ch.isupper():
                raise self.error(f"\\{ch} inside a character class is not supported by this search service")
            return "[" + _CLASSES[ch] + "]"
        return ch

    def simple(self):
        ch = self.next()
        if ch == ".":
            return _ANY
        if ch == "#":  # the empty language: matches nothing
            return "[^\\x{0}-\\x{10ffff}]"
        if ch == "@":  # any string
            return _ANY + "*"
        if ch == '"':
            end = self.s.find('"', self.i)
            if end < 0:
                raise self.error("expected '\"'")
            text, self.i = self.s[self.i : end], end + 1
            return "".join(_literal(c) for c in text)
        if ch == "(":
            if self.peek(")"):
                self.i += 1
                return ""
            inner = self.union()
            if not self.peek(")"):
                raise self.error("expected ')'")
            self.i += 1
            return f"(?:{inner})"
        if ch == "<":
            return self.interval()
        if ch == "\\":
            ch = self.next()
            if ch.lower() in _CLASSES:
                return ("[^" if ch.isupper() else "[") + _CLASSES[ch.lower()] + "]"
        return _literal(ch)

    def interval(self):
        end = self.s.find(">", self.i)
        body = self.s[self.i : end] if end >= 0 else ""
        low, dash, high = body.partition("-")
        if end < 0 or not dash or not low.isdigit() or not high.isdigit():
            raise self.error("named automata <name> are not supported by this search service; <n-m> is")
        self.i = end + 1
        a, b = int(low), int(high)
        if a > b:
            a, b = b, a
        if b - a >= MAX_INTERVAL:
            raise self.error(f"the interval <{body}> has more than {MAX_INTERVAL} numbers")
        # As Lucene: bounds of the same width match that width (zero-padded); otherwise any
        # number of leading zeros is allowed.
        width = len(low) if len(low) == len(high) else 0
        numbers = "|".join(str(n).zfill(width) for n in range(a, b + 1))
        return f"(?:{numbers})" if width else f"0*(?:{numbers})"


def _compile(source, pattern, kind):
    try:
        compiled = re2.compile(source, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else ""
        reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        raise SolrError(f"the {kind} {pattern} is too complex for this search service ({reason})") from None
    return compiled.fullmatch


def regexp_matcher(pattern):
    """A Lucene regular expression (the text between the slashes) -> predicate(term): whether
    the whole term matches, in time linear in the term."""
    source = _LuceneRegexp(pattern).translate()
    match = _compile(source, f"/{pattern}/", "regular expression")
    return lambda term: match(term) is not None


def wildcard_matcher(pattern):
    """A Lucene wildcard ('*' any string, '?' one character) -> predicate(term). The shapes
    people type (``*abc``, ``*abc*``, ``ab*cd``) are string methods; the rest goes to RE2."""
    if "?" not in pattern:
        parts = pattern.split("*")
        if len(parts) == 2:
            head, tail = parts
            size = len(head) + len(tail)
            return lambda term: len(term) >= size and term.startswith(head) and term.endswith(tail)
        if len(parts) == 3 and not parts[0] and not parts[2]:
            middle = parts[1]
            return lambda term: middle in term
    source = "".join(_ANY + "*" if c == "*" else _ANY if c == "?" else _literal(c) for c in pattern)
    match = _compile(source, pattern, "wildcard pattern")
    return lambda term: match(term) is not None
