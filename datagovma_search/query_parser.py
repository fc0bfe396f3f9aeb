"""The Lucene standard query syntax (and dismax's restricted form) -> a small syntax tree.

The clause semantics follow Lucene's classic QueryParser exactly: a flat list of clauses per
group, each MUST, SHOULD or MUST_NOT according to its modifier (+, -, NOT, !), the conjunction
before it (AND, OR, &&, ||) and the default operator (q.op). Errors name the query and the
position, in the words Solr uses ("Cannot parse '...'").
"""

from .errors import SolrError

MUST, SHOULD, MUST_NOT = "MUST", "SHOULD", "MUST_NOT"

_SPECIAL = set(' \t\n\r\u3000+-!():^[]"{}~*?\\/')
_DISMAX_SPECIAL = set(' \t\n\r\u3000+-"')


class TermNode:
    """A single term, phrase, wildcard, fuzzy or regex query on one field (None = default)."""

    def __init__(self, field, text, quoted=False, wildcard=False, fuzzy=None, slop=None, regex=False):
        self.field = field
        self.text = text
        self.quoted = quoted
        self.wildcard = wildcard
        self.fuzzy = fuzzy
        self.slop = slop
        self.regex = regex
        self.boost = None

    def __repr__(self):
        return f"Term({self.field}:{self.text!r}{' q' if self.quoted else ''}{' *' if self.wildcard else ''})"


class RangeNode:
    def __init__(self, field, low, high, include_low, include_high):
        self.field = field
        self.low = low  # None for *
        self.high = high
        self.include_low = include_low
        self.include_high = include_high
        self.boost = None

    def __repr__(self):
        low, high = "[" if self.include_low else "{", "]" if self.include_high else "}"
        return f"Range({self.field}:{low}{self.low} TO {self.high}{high})"


class BoolNode:
    def __init__(self, clauses, explicit_operators=False):
        self.clauses = clauses  # list of (occur, node)
        self.explicit_operators = explicit_operators
        self.boost = None

    def __repr__(self):
        return f"Bool({self.clauses})"


class _Tok:
    __slots__ = ("kind", "value", "pos")

    def __init__(self, kind, value, pos):
        self.kind = kind
        self.value = value
        self.pos = pos

    def __repr__(self):
        return f"{self.kind}:{self.value!r}"


class Parser:
    """Parses one query string. ``dismax=True`` gives the dismax user syntax, where only
    +, -, quotes and AND/OR/NOT are operators and everything else is part of a word."""

    MAX_CLAUSES = 1024

    def __init__(self, text, default_and=False, dismax=False):
        self.text = text
        self.default_and = default_and
        self.dismax = dismax
        self.clause_count = 0
        if dismax and text.count('"') % 2:
            # Solr's dismax strips unbalanced quotes rather than failing.
            text = text.replace('"', " ")
            self.text = text
        self.tokens = self._lex(text)
        self.i = 0

    # --- errors ---------------------------------------------------------------------

    def error(self, detail, pos=None):
        where = f" at position {pos + 1}" if pos is not None else ""
        return SolrError(f"org.apache.solr.search.SyntaxError: Cannot parse '{self.text}': {detail}{where}")

    # --- lexer ----------------------------------------------------------------------

    def _lex(self, s):
        special = _DISMAX_SPECIAL if self.dismax else _SPECIAL
        toks = []
        i, n = 0, len(s)
        while i < n:
            c = s[i]
            if c in " \t\n\r\u3000":
                i += 1
                continue
            start = i
            if c == '"':
                i += 1
                buf = []
                while i < n and s[i] != '"':
                    if s[i] == "\\" and i + 1 < n:
                        buf.append(s[i + 1])
                        i += 2
                        continue
                    buf.append(s[i])
                    i += 1
                if i >= n:
                    raise self.error("Lexical error: unterminated quoted string", start)
                i += 1
                toks.append(_Tok("QUOTED", "".join(buf), start))
                continue
            if not self.dismax:
                if s.startswith("&&", i):
                    toks.append(_Tok("AND", "&&", i))
                    i += 2
                    continue
                if s.startswith("||", i):
                    toks.append(_Tok("OR", "||", i))
                    i += 2
                    continue
                if c in "[{":
                    toks.append(self._lex_range(s, i))
                    i = toks[-1].value["end"]
                    continue
                if c in "()]}:^~":
                    kind = {
                        "(": "LPAREN",
                        ")": "RPAREN",
                        "]": "RANGE_IN_END",
                        "}": "RANGE_EX_END",
                        ":": "COLON",
                        "^": "CARAT",
                        "~": "TILDE",
                    }[c]
                    toks.append(_Tok(kind, c, i))
                    i += 1
                    continue
                if c == "!":
                    toks.append(_Tok("NOT", "!", i))
                    i += 1
                    continue
                if c == "/":
                    j = i + 1
                    while j < n and s[j] != "/":
                        j += 2 if s[j] == "\\" else 1
                    if j >= n:
                        raise self.error("Lexical error: unterminated regular expression", start)
                    toks.append(_Tok("REGEX", s[i + 1 : j], i))
                    i = j + 1
                    continue
            if c in "+-":
                toks.append(_Tok("PLUS" if c == "+" else "MINUS", c, i))
                i += 1
                continue
            # a term: escapes, and + - inside (not at the start)
            buf = []
            wildcard = False
            while i < n:
                ch = s[i]
                if ch == "\\":
                    if i + 1 >= n:
                        raise self.error("Lexical error: the query ends with an escape character", i)
                    buf.append(s[i + 1])
                    i += 2
                    continue
                if ch in "*?" and not self.dismax:
                    wildcard = True
                elif ch in "+-":
                    if not buf:
                        break
                elif ch in special:
                    break
                buf.append(ch)
                i += 1
            word = "".join(buf)
            if not word:
                raise self.error(f"Lexical error: unexpected character {c!r}", start)
            if word in ("AND", "OR", "NOT") and (i - start) == len(word):
                toks.append(_Tok(word, word, start))
            else:
                toks.append(_Tok("WILDTERM" if wildcard else "TERM", word, start))
        toks.append(_Tok("EOF", None, n))
        return toks

    # --- parser ---------------------------------------------------------------------

    def peek(self, offset=0):
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def take(self, kind=None):
        tok = self.tokens[self.i]
        if kind and tok.kind != kind:
            raise self.error(f"expected {kind}, found {self._describe(tok)}", tok.pos)
        self.i += 1
        return tok

    @staticmethod
    def _describe(tok):
        return "the end of the query" if tok.kind == "EOF" else repr(tok.value)

    def parse(self):
        node = self._query(None, top=True)
        tok = self.peek()
        if tok.kind != "EOF":
            if tok.kind == "RPAREN":
                raise self.error("unbalanced parenthesis ')'", tok.pos)
            raise self.error(f"unexpected {self._describe(tok)}", tok.pos)
        return node

    def _query(self, field, top=False):
        clauses = []
        explicit = False
        first = True
        while True:
            tok = self.peek()
            if tok.kind in ("EOF", "RPAREN"):
                if first and not top and tok.kind == "RPAREN":
                    raise self.error("empty group '()'", tok.pos)
                break
            conj = None
            if not first and tok.kind in ("AND", "OR"):
                conj = tok.kind
                explicit = True
                self.take()
                tok = self.peek()
            elif first and tok.kind in ("AND", "OR"):
                raise self.error(f"the query cannot start with {tok.value}", tok.pos)
            mods = None
            if tok.kind in ("PLUS", "MINUS", "NOT"):
                mods = {"PLUS": "REQ", "MINUS": "NOT", "NOT": "NOT"}[tok.kind]
                if tok.kind == "NOT":
                    explicit = True
                self.take()
                nxt = self.peek()
                if nxt.kind in ("PLUS", "MINUS", "NOT", "AND", "OR", "EOF", "RPAREN"):
                    raise self.error(
                        f"{tok.value!r} must be followed by a term or a group, found {self._describe(nxt)}", nxt.pos
                    )
            if conj and self.peek().kind in ("EOF", "RPAREN"):
                raise self.error(f"{conj} must be followed by a term or a group", self.peek().pos)
            node = self._clause(field)
            self._add_clause(clauses, conj, mods, node)
            first = False
        return BoolNode(clauses, explicit)

    def _add_clause(self, clauses, conj, mods, node):
        """Lucene's QueryParserBase.addClause, rule for rule."""
        self.clause_count += 1
        if self.clause_count > self.MAX_CLAUSES:
            raise SolrError(f"Query contains too many nested clauses; maxClauseCount is set to {self.MAX_CLAUSES}")
        if clauses and conj == "AND":
            occur, prev = clauses[-1]
            if occur != MUST_NOT:
                clauses[-1] = (MUST, prev)
        if clauses and self.default_and and conj == "OR":
            occur, prev = clauses[-1]
            if occur != MUST_NOT:
                clauses[-1] = (SHOULD, prev)
        if not self.default_and:
            prohibited = mods == "NOT"
            required = mods == "REQ" or (conj == "AND" and not prohibited)
        else:
            prohibited = mods == "NOT"
            required = not prohibited and conj != "OR"
        if mods == "REQ":
            required = True
        occur = MUST_NOT if prohibited else (MUST if required else SHOULD)
        clauses.append((occur, node))

    def _clause(self, field):
        tok = self.peek()
        nxt = self.peek(1)
        if tok.kind in ("TERM", "WILDTERM") and nxt.kind == "COLON":
            self.take()
            self.take()
            field = tok.value
            if self.peek().kind in ("EOF", "RPAREN"):
                raise self.error(f"field {field!r} has no value", self.peek().pos)
        tok = self.peek()
        if tok.kind == "LPAREN":
            self.take()
            node = self._query(field)
            if self.peek().kind != "RPAREN":
                raise self.error("unbalanced parenthesis '('", tok.pos)
            self.take()
            node.boost = self._boost()
            return node
        return self._term(field)

    def _boost(self):
        if self.peek().kind == "CARAT":
            self.take()
            tok = self.take()
            try:
                return float(tok.value)
            except (TypeError, ValueError):
                found = self._describe(tok)
                raise self.error(f"boost '^' must be followed by a number, found {found}", tok.pos) from None
        return None

    def _tilde(self, default):
        if self.peek().kind == "TILDE":
            self.take()
            tok = self.peek()
            if tok.kind == "TERM":
                try:
                    value = float(tok.value)
                except ValueError:
                    return default
                self.take()
                return value
            return default
        return None

    def _term(self, field):
        tok = self.take()
        if tok.kind in ("TERM", "WILDTERM"):
            node = TermNode(field, tok.value, wildcard=tok.kind == "WILDTERM")
            fuzzy = self._tilde(2.0)
            node.boost = self._boost()
            if fuzzy is None:
                fuzzy = self._tilde(2.0)
            node.fuzzy = fuzzy
            return node
        if tok.kind == "QUOTED":
            node = TermNode(field, tok.value, quoted=True)
            node.slop = self._tilde(0)
            node.boost = self._boost()
            return node
        if tok.kind == "REGEX":
            node = TermNode(field, tok.value, regex=True)
            node.boost = self._boost()
            return node
        if tok.kind in ("RANGE_IN", "RANGE_EX"):
            return self._range(field, tok)
        raise self.error(f"unexpected {self._describe(tok)}", tok.pos)

    def _range(self, field, tok):
        info = tok.value
        node = RangeNode(field, info["low"], info["high"], info["include_low"], info["include_high"])
        node.boost = self._boost()
        return node

    def _lex_range(self, s, start):
        """'[low TO high]' or '{low TO high}' (either bracket on either side) as one token; a
        bound is a quoted string or anything up to whitespace or a closing bracket."""
        pos = start + 1
        bounds = []
        while True:
            while pos < len(s) and s[pos].isspace():
                pos += 1
            if pos >= len(s):
                raise self.error("unterminated range, expected ']' or '}'", start)
            if s[pos] in "]}":
                break
            if s[pos] == '"':
                end = pos + 1
                buf = []
                while end < len(s) and s[end] != '"':
                    if s[end] == "\\" and end + 1 < len(s):
                        buf.append(s[end + 1])
                        end += 2
                        continue
                    buf.append(s[end])
                    end += 1
                if end >= len(s):
                    raise self.error("unterminated quoted range bound", pos)
                bounds.append(("".join(buf), True))
                pos = end + 1
                continue
            end = pos
            while end < len(s) and not s[end].isspace() and s[end] not in "]}":
                end += 2 if s[end] == "\\" else 1
            bounds.append((s[pos:end].replace("\\", ""), False))
            pos = end
        if len(bounds) == 3 and bounds[1] == ("TO", False):
            low, high = bounds[0], bounds[2]
        else:
            raise self.error("a range must read [low TO high]", start)
        kind = "RANGE_IN" if s[start] == "[" else "RANGE_EX"
        return _Tok(
            kind,
            {
                "low": None if low == ("*", False) else low[0],
                "high": None if high == ("*", False) else high[0],
                "include_low": s[start] == "[",
                "include_high": s[pos] == "]",
                "end": pos + 1,
            },
            start,
        )


def parse(text, default_and=False, dismax=False):
    return Parser(text, default_and=default_and, dismax=dismax).parse()


def parse_local_params(text):
    """'{!type k=v k2='v 2' v=$x}rest' -> (list of (key, value) with ('type', t) first, rest).
    Keys may repeat ({!bool must=a must=b}). Raises SolrError."""
    assert text.startswith("{!")
    i = 2
    params = []
    n = len(text)
    first = True
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise SolrError(
                f"org.apache.solr.search.SyntaxError: Missing end to unquoted value starting at {i} str='{text}'"
            )
        if text[i] == "}":
            i += 1
            break
        start = i
        while i < n and not text[i].isspace() and text[i] not in "=}":
            i += 1
        key = text[start:i]
        if i < n and text[i] == "=":
            i += 1
            if i < n and text[i] in "'\"":
                quote = text[i]
                i += 1
                buf = []
                while i < n and text[i] != quote:
                    if text[i] == "\\" and i + 1 < n:
                        buf.append(text[i + 1])
                        i += 2
                        continue
                    buf.append(text[i])
                    i += 1
                if i >= n:
                    raise SolrError(f"org.apache.solr.search.SyntaxError: unterminated quoted local param in '{text}'")
                i += 1
                value = "".join(buf)
            else:
                start = i
                while i < n and not text[i].isspace() and text[i] != "}":
                    i += 1
                value = text[start:i]
            params.append((key, value))
        elif first:
            params.append(("type", key))
        else:
            params.append((key, ""))
        first = False
    return params, text[i:]
