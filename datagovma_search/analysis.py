"""Text analysis: the Solr/Lucene tokenizers and filters that schema.xml names, in Python.

An analyzer is a tokenizer followed by filters. Every filter we support works on one token at a
time, so the whole filter chain is memoised per input token: indexing cost is one dict lookup for
a word already seen. Each factory takes the attributes of its schema.xml element.
"""

import functools
import os
import re
import unicodedata

import Stemmer

from .errors import SchemaError

# Characters Lucene's WordDelimiterGraphFilter treats as part of a word (letters, marks, digits).
_ALPHA_CATS = {"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Me", "Mc"}
_DIGIT_CATS = {"Nd", "Nl", "No"}

_WORD_CHARS = r"[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]"
_STANDARD_TOKEN = re.compile(rf"(?:{_WORD_CHARS})+(?:['’](?:{_WORD_CHARS})+)*")


class Token:
    __slots__ = ("text", "position")

    def __init__(self, text, position):
        self.text = text
        self.position = position

    def __repr__(self):
        return f"Token({self.text!r}, {self.position})"


# --- tokenizers: text -> list of (raw token, position) -------------------------------------


class WhitespaceTokenizer:
    def __init__(self, attrs, loader):
        pass

    def tokenize(self, text):
        return text.split()


class StandardTokenizer:
    def __init__(self, attrs, loader):
        self.max_len = int(attrs.get("maxTokenLength", 255))

    def tokenize(self, text):
        return [m.group(0)[: self.max_len] for m in _STANDARD_TOKEN.finditer(text)]


class KeywordTokenizer:
    def __init__(self, attrs, loader):
        pass

    def tokenize(self, text):
        return [text] if text else []


class NGramTokenizer:
    """All character n-grams of the whole input (Lucene 4.4+ behaviour, whitespace included)."""

    def __init__(self, attrs, loader):
        self.min_gram = int(attrs.get("minGramSize", 1))
        self.max_gram = int(attrs.get("maxGramSize", 2))

    def tokenize(self, text):
        grams = []
        n = len(text)
        for start in range(n):
            for size in range(self.min_gram, min(self.max_gram, n - start) + 1):
                grams.append(text[start : start + size])
        return grams


class EdgeNGramTokenizer(NGramTokenizer):
    def tokenize(self, text):
        return [text[:size] for size in range(self.min_gram, min(self.max_gram, len(text)) + 1)]


# --- token filters: one raw token -> list of (text, position increment) ---------------------
# Each filter maps a list of Tokens (positions relative to the input token) to a new list.


class LowerCaseFilter:
    def __init__(self, attrs, loader):
        pass

    def __call__(self, tokens):
        for t in tokens:
            t.text = t.text.lower()
        return tokens


_LIGATURES = {
    "œ": "oe",
    "Œ": "OE",
    "æ": "ae",
    "Æ": "AE",
    "ß": "ss",
    "ø": "o",
    "Ø": "O",
    "đ": "d",
    "Đ": "D",
    "ł": "l",
    "Ł": "L",
    "ı": "i",
    "ŀ": "l",
    "þ": "th",
    "ð": "d",
}


def ascii_fold(text):
    """Lucene's ASCIIFoldingFilter for Latin text: accents and ligatures to ASCII; other
    scripts untouched."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ord(ch) < 0x80:
            out.append(ch)
        elif ch in _LIGATURES:
            out.append(_LIGATURES[ch])
        elif ord(ch) < 0x250 or 0x1E00 <= ord(ch) <= 0x1EFF:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out.append(base if base.isascii() and base else ch)
        else:
            out.append(ch)
    return "".join(out)


class ASCIIFoldingFilter:
    def __init__(self, attrs, loader):
        self.preserve = attrs.get("preserveOriginal", "false") == "true"

    def __call__(self, tokens):
        out = []
        for t in tokens:
            folded = ascii_fold(t.text)
            if self.preserve and folded != t.text:
                out.append(Token(t.text, t.position))
            t.text = folded
            out.append(t)
        return out


class SnowballPorterFilter:
    def __init__(self, attrs, loader):
        language = attrs.get("language", "English").lower()
        try:
            self.stemmer = Stemmer.Stemmer(language)
        except KeyError:
            raise SchemaError(f"SnowballPorterFilterFactory: unknown language {attrs.get('language')!r}") from None
        self.protected = set(loader.word_list(attrs.get("protected")))

    def __call__(self, tokens):
        for t in tokens:
            if t.text not in self.protected:
                t.text = self.stemmer.stemWord(t.text)
        return tokens


class PorterStemFilter(SnowballPorterFilter):
    def __init__(self, attrs, loader):
        self.stemmer = Stemmer.Stemmer("porter")
        self.protected = set()


_FRENCH_ACCENTS = str.maketrans("àáâôèéêùûîç", "aaaoeeeuuic")


def _french_norm(w):
    if len(w) > 4:
        w = w.translate(_FRENCH_ACCENTS)
        out = [w[0]]
        for ch in w[1:]:
            if not (ch == out[-1] and ch.isalpha()):
                out.append(ch)
        w = "".join(out)
    if len(w) > 4 and w.endswith("ie"):
        w = w[:-2]
    if len(w) > 4:
        if w[-1] == "r":
            w = w[:-1]
        if w[-1] == "e":
            w = w[:-1]
        if w[-1] == "e":
            w = w[:-1]
        if len(w) > 1 and w[-1] == w[-2] and w[-1].isalpha():
            w = w[:-1]
    return w


@functools.lru_cache(maxsize=100_000)
def french_light_stem(w):
    """Savoy's light French stemmer, as Lucene's FrenchLightStemmer implements it: plural and
    common derivational suffixes removed, accents and doubled letters normalised."""
    n = len(w)
    if n > 5 and w[-1] == "x":
        if w[-3:-1] == "au" and w[-4] != "e":
            w = w[:-2] + "l" + w[-1]
        w = w[:-1]
    if len(w) > 3 and w[-1] == "x":
        w = w[:-1]
    if len(w) > 3 and w[-1] == "s":
        w = w[:-1]
    n = len(w)
    rules = (
        (9, "issement", lambda w: w[:-6][:-1] + "r"),
        (8, "issant", lambda w: w[:-4][:-1] + "r"),
    )
    for size, suffix, fix in rules:
        if n > size and w.endswith(suffix):
            return _french_norm(fix(w))
    if n > 6 and w.endswith("ement"):
        w = w[:-4]
        if len(w) > 3 and w.endswith("ive"):
            w = w[:-1][:-1] + "f"
        return _french_norm(w)
    if n > 11 and w.endswith("ficatrice"):
        return _french_norm(w[:-5][:-2] + "er")
    if n > 10 and w.endswith("ficateur"):
        return _french_norm(w[:-4][:-2] + "er")
    if n > 9 and w.endswith("catrice"):
        w = w[:-3]
        return _french_norm(w[:-4] + "quer")
    if n > 8 and w.endswith("cateur"):
        w = w[:-2]
        return _french_norm(w[:-4] + "quer")
    if n > 8 and w.endswith("atrice"):
        return _french_norm(w[:-4][:-2] + "er")
    if n > 7 and w.endswith("ateur"):
        return _french_norm(w[:-3][:-2] + "er")
    if n > 6 and w.endswith("trice"):
        w = w[:-1]
        w = w[:-3] + "eur"
        n = len(w)
    if n > 5 and w.endswith("ième"):
        return _french_norm(w[:-4])
    if n > 7 and w.endswith("teuse"):
        return _french_norm(w[:-2][:-1] + "r")
    if n > 6 and w.endswith("teur"):
        return _french_norm(w[:-1][:-1] + "r")
    if n > 5 and w.endswith("euse"):
        return _french_norm(w[:-2])
    if n > 8 and w.endswith("ère"):
        w = w[:-1]
        return _french_norm(w[:-2] + "e" + w[-1])
    if n > 7 and w.endswith("ive"):
        return _french_norm(w[:-1][:-1] + "f")
    if n > 4 and (w.endswith("folle") or w.endswith("molle")):
        return _french_norm(w[:-2][:-1] + "u")
    if n > 9 and w.endswith("nnelle"):
        return _french_norm(w[:-5])
    if n > 9 and w.endswith("nnel"):
        return _french_norm(w[:-3])
    if n > 4 and w.endswith("ète"):
        w = w[:-1]
        w = w[:-2] + "e" + w[-1]
        n = len(w)
    if n > 8 and w.endswith("ique"):
        w = w[:-4]
        n = len(w)
    if n > 8 and w.endswith("esse"):
        return _french_norm(w[:-3])
    if n > 7 and w.endswith("inage"):
        return _french_norm(w[:-3])
    if n > 9 and w.endswith("isation"):
        w = w[:-7]
        if len(w) > 5 and w.endswith("ual"):
            w = w[:-2] + "e" + w[-1]
        return _french_norm(w)
    if n > 9 and w.endswith("isateur"):
        return _french_norm(w[:-7])
    if n > 8 and w.endswith("ation"):
        return _french_norm(w[:-5])
    if n > 8 and w.endswith("ition"):
        return _french_norm(w[:-5])
    return _french_norm(w)


class FrenchLightStemFilter:
    def __init__(self, attrs, loader):
        pass

    def __call__(self, tokens):
        for t in tokens:
            t.text = french_light_stem(t.text)
        return tokens


# Lucene FrenchAnalyzer.DEFAULT_ARTICLES
_FRENCH_ARTICLES = ("l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu")


class ElisionFilter:
    """Removes French elided articles: l'eau -> eau, d'État -> État."""

    def __init__(self, attrs, loader):
        articles = loader.word_list(attrs.get("articles")) if attrs.get("articles") else _FRENCH_ARTICLES
        self.articles = {a.lower() for a in articles}

    def __call__(self, tokens):
        for t in tokens:
            for quote in ("'", "’"):
                idx = t.text.find(quote)
                if idx > 0 and t.text[:idx].lower() in self.articles:
                    t.text = t.text[idx + 1 :]
                    break
        return [t for t in tokens if t.text]


_ARABIC_STRIP = dict.fromkeys(map(ord, "\u0640\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652"))
_ARABIC_MAP = {ord("أ"): "ا", ord("إ"): "ا", ord("آ"): "ا", ord("ى"): "ي", ord("ة"): "ه"}
_ARABIC_TABLE = {**_ARABIC_STRIP, **_ARABIC_MAP}


def arabic_normalize(text):
    """Lucene's ArabicNormalizer: tatweel and harakat removed; alef forms, alef maksura and
    teh marbuta folded."""
    return text.translate(_ARABIC_TABLE)


class ArabicNormalizationFilter:
    def __init__(self, attrs, loader):
        pass

    def __call__(self, tokens):
        for t in tokens:
            t.text = arabic_normalize(t.text)
        return [t for t in tokens if t.text]


_AR_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_AR_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")


@functools.lru_cache(maxsize=100_000)
def arabic_stem(word):
    """Lucene's ArabicStemmer (light stemming): one prefix, then each suffix in turn, always
    leaving at least two letters."""
    for prefix in _AR_PREFIXES:
        if len(prefix) == 1 and len(word) < 4:
            continue
        if len(word) >= len(prefix) + 2 and word.startswith(prefix):
            word = word[len(prefix) :]
            break
    for suffix in _AR_SUFFIXES:
        if len(word) >= len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
    return word


class ArabicStemFilter:
    def __init__(self, attrs, loader):
        pass

    def __call__(self, tokens):
        for t in tokens:
            t.text = arabic_stem(t.text)
        return tokens


@functools.lru_cache(maxsize=4096)
def _char_kind(ch):
    cat = unicodedata.category(ch)
    if cat in ("Lu", "Lt"):
        return "U"
    if cat in _ALPHA_CATS:
        return "L"
    if cat in _DIGIT_CATS:
        return "D"
    return None


class WordDelimiterGraphFilter:
    """Splits on intra-word delimiters, case changes and letter/digit transitions, and adds the
    catenated runs (Lucene's WordDelimiterGraphFilter, flattened as index analyzers do)."""

    def __init__(self, attrs, loader):
        flag = lambda name, default: attrs.get(name, default) in ("1", "true")  # noqa: E731
        self.word_parts = flag("generateWordParts", "1")
        self.number_parts = flag("generateNumberParts", "1")
        self.catenate_words = flag("catenateWords", "0")
        self.catenate_numbers = flag("catenateNumbers", "0")
        self.catenate_all = flag("catenateAll", "0")
        self.case_change = flag("splitOnCaseChange", "1")
        self.split_numerics = flag("splitOnNumerics", "1")
        self.preserve_original = flag("preserveOriginal", "0")
        self.possessive = flag("stemEnglishPossessive", "1")
        self.protected = set(loader.word_list(attrs.get("protected")))

    _ASCII_CASE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
    _ASCII_NOCASE = re.compile(r"[A-Za-z]+|[0-9]+")

    def _parts(self, text):
        """Subwords as (text, is_number)."""
        if text.isascii() and self.split_numerics:
            pattern = self._ASCII_CASE if self.case_change else self._ASCII_NOCASE
            return [(w, w[0].isdigit()) for w in pattern.findall(text)]
        parts = []
        current = []
        prev = None
        for ch in text:
            kind = _char_kind(ch)
            if kind is None:
                if current:
                    parts.append(current)
                current, prev = [], None
                continue
            if current and prev is not None:
                split = False
                if self.case_change and prev == "L" and kind == "U":
                    split = True
                elif self.split_numerics and (prev == "D") != (kind == "D"):
                    split = True
                if split:
                    parts.append(current)
                    current = []
            current.append(ch)
            prev = kind
        if current:
            parts.append(current)
        # Lucene also splits "ABCDef" as "ABC" + "Def" (upper run followed by lower).
        result = []
        for p in parts:
            word = "".join(p)
            if self.case_change and len(word) > 2:
                pieces = re.split(r"(?<=[A-Z])(?=[A-Z][a-z])", word) if word.isascii() else [word]
                result.extend(pieces)
            else:
                result.append(word)
        return [(w, w.isdigit() or all(_char_kind(c) == "D" for c in w)) for w in result]

    def __call__(self, tokens):
        out = []
        for t in tokens:
            text = t.text
            if text in self.protected:
                out.append(t)
                continue
            if self.possessive and len(text) > 2 and text[-2:].lower() in ("'s", "’s"):
                text = text[:-2]
            parts = self._parts(text)
            if not parts:
                continue
            if len(parts) == 1 and parts[0][0] == text:
                out.append(Token(text, t.position))
                continue
            base = t.position
            if self.preserve_original:
                out.append(Token(t.text, base))
            emitted = []
            for i, (word, is_number) in enumerate(parts):
                if (is_number and self.number_parts) or (not is_number and self.word_parts):
                    emitted.append(Token(word, base + i))
            # Catenations of runs of the same kind, at the position of the run's first part.
            if self.catenate_words or self.catenate_numbers:
                i = 0
                while i < len(parts):
                    j = i
                    while j + 1 < len(parts) and parts[j + 1][1] == parts[i][1]:
                        j += 1
                    if j > i:
                        is_number = parts[i][1]
                        if (is_number and self.catenate_numbers) or (not is_number and self.catenate_words):
                            emitted.append(Token("".join(p[0] for p in parts[i : j + 1]), base + i))
                    i = j + 1
            if self.catenate_all and len(parts) > 1:
                emitted.append(Token("".join(p[0] for p in parts), base))
            out.extend(emitted)
        return out


class SynonymGraphFilter:
    """Query-time synonyms from a Solr synonyms file (single-word entries)."""

    def __init__(self, attrs, loader):
        self.ignore_case = attrs.get("ignoreCase", "false") == "true"
        expand = attrs.get("expand", "true") == "true"
        self.map = {}
        for line in loader.lines(attrs.get("synonyms")):
            if "=>" in line:
                left, right = line.split("=>", 1)
                targets = [w.strip() for w in right.split(",") if w.strip()]
                for w in left.split(","):
                    self._add(w.strip(), targets)
            else:
                words = [w.strip() for w in line.split(",") if w.strip()]
                for w in words:
                    self._add(w, words if expand else words[:1])

    def _add(self, word, targets):
        if " " in word or not word:
            return
        key = word.lower() if self.ignore_case else word
        self.map.setdefault(key, [])
        for target in targets:
            if " " not in target and target not in self.map[key]:
                self.map[key].append(target)

    def __call__(self, tokens):
        if not self.map:
            return tokens
        out = []
        for t in tokens:
            key = t.text.lower() if self.ignore_case else t.text
            if key in self.map:
                out.extend(Token(s, t.position) for s in self.map[key])
                if t.text not in self.map[key]:
                    out.append(t)
            else:
                out.append(t)
        return out


class StopFilter:
    def __init__(self, attrs, loader):
        self.ignore_case = attrs.get("ignoreCase", "false") == "true"
        words = loader.word_list(attrs.get("words"))
        self.words = {w.lower() for w in words} if self.ignore_case else set(words)

    def __call__(self, tokens):
        if self.ignore_case:
            return [t for t in tokens if t.text.lower() not in self.words]
        return [t for t in tokens if t.text not in self.words]


class PassThroughFilter:
    """Filters whose effect is nil after flattening (FlattenGraph, RemoveDuplicates)."""

    def __init__(self, attrs, loader):
        pass

    def __call__(self, tokens):
        return tokens


class TrimFilter:
    def __init__(self, attrs, loader):
        pass

    def __call__(self, tokens):
        for t in tokens:
            t.text = t.text.strip()
        return [t for t in tokens if t.text]


TOKENIZERS = {
    "WhitespaceTokenizerFactory": WhitespaceTokenizer,
    "StandardTokenizerFactory": StandardTokenizer,
    "ClassicTokenizerFactory": StandardTokenizer,
    "KeywordTokenizerFactory": KeywordTokenizer,
    "NGramTokenizerFactory": NGramTokenizer,
    "EdgeNGramTokenizerFactory": EdgeNGramTokenizer,
}

FILTERS = {
    "LowerCaseFilterFactory": LowerCaseFilter,
    "ASCIIFoldingFilterFactory": ASCIIFoldingFilter,
    "SnowballPorterFilterFactory": SnowballPorterFilter,
    "PorterStemFilterFactory": PorterStemFilter,
    "FrenchLightStemFilterFactory": FrenchLightStemFilter,
    "ElisionFilterFactory": ElisionFilter,
    "ArabicNormalizationFilterFactory": ArabicNormalizationFilter,
    "ArabicStemFilterFactory": ArabicStemFilter,
    "WordDelimiterGraphFilterFactory": WordDelimiterGraphFilter,
    "WordDelimiterFilterFactory": WordDelimiterGraphFilter,
    "SynonymGraphFilterFactory": SynonymGraphFilter,
    "SynonymFilterFactory": SynonymGraphFilter,
    "StopFilterFactory": StopFilter,
    "FlattenGraphFilterFactory": PassThroughFilter,
    "RemoveDuplicatesTokenFilterFactory": PassThroughFilter,
    "TrimFilterFactory": TrimFilter,
}


def short_class(name):
    """'solr.LowerCaseFilterFactory' or a full Java class name -> 'LowerCaseFilterFactory'."""
    return name.rsplit(".", 1)[-1]


class ResourceLoader:
    """Reads the word lists (synonyms, protected words, stop words) next to schema.xml.

    A missing file is read as empty and recorded in ``missing`` so the server can say so at
    start-up; Solr's own configset ships these files and CKAN's schema names them."""

    def __init__(self, directory):
        self.directory = directory
        self.missing = []

    def lines(self, name):
        if not name:
            return []
        result = []
        for part in name.split(","):
            path = os.path.join(self.directory, part.strip())
            if not os.path.exists(path):
                self.missing.append(part.strip())
                continue
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
                    if line:
                        result.append(line)
        return result

    def word_list(self, name):
        return [w for line in self.lines(name) for w in line.split("|")[0].split()]


class Analyzer:
    """A tokenizer and a chain of per-token filters; ``analyze`` gives Tokens with positions."""

    CACHE_LIMIT = 200_000

    def __init__(self, tokenizer, filters):
        self.tokenizer = tokenizer
        self.filters = filters
        self.is_ngram = isinstance(tokenizer, NGramTokenizer)
        self._cache = {}

    def _chain(self, raw):
        """Filter one raw token: returns ([(text, relative position)], positions consumed,
        (texts,)), memoised per raw token."""
        cached = self._cache.get(raw)
        if cached is not None:
            return cached
        tokens = [Token(raw, 0)]
        for f in self.filters:
            tokens = f(tokens)
            if not tokens:
                break
        span = max((t.position for t in tokens), default=0) + 1
        pairs = [(t.text, t.position) for t in tokens if t.text]
        result = (pairs, span, tuple(p[0] for p in pairs))
        if len(self._cache) >= self.CACHE_LIMIT:
            self._cache.clear()
        self._cache[raw] = result
        return result

    def analyze(self, text, start=0):
        """Returns (list of (term, position), next free position)."""
        out = []
        pos = start
        cache = self._cache
        for raw in self.tokenizer.tokenize(text):
            found = cache.get(raw)
            terms, span, _ = found if found is not None else self._chain(raw)
            if not terms:
                continue
            for term, rel in terms:
                out.append((term, pos + rel))
            pos += span
        return out, pos

    def index_terms(self, text):
        """The terms of a text without positions (what the inverted index needs)."""
        out = []
        cache = self._cache
        for raw in self.tokenizer.tokenize(text):
            found = cache.get(raw)
            out.extend((found if found is not None else self._chain(raw))[2])
        return out

    def normalize_multiterm(self, text):
        """Prefix/wildcard/fuzzy terms: only lower-casing and folding apply, as in Solr's
        multi-term-aware analysis."""
        for f in self.filters:
            if isinstance(f, LowerCaseFilter):
                text = text.lower()
            elif isinstance(f, ASCIIFoldingFilter):
                text = ascii_fold(text)
            elif isinstance(f, ArabicNormalizationFilter):
                text = arabic_normalize(text)
        return text


def build_analyzer(element, loader, where):
    """Builds an Analyzer from an <analyzer> element; ``where`` names file and line for errors."""
    tokenizer_el = element.find("tokenizer")
    if tokenizer_el is None:
        if element.get("class"):
            raise SchemaError(f"{where}: analyzer classes are not supported, use a tokenizer and filters")
        raise SchemaError(f"{where}: <analyzer> has no <tokenizer>")
    name = short_class(tokenizer_el.get("class", ""))
    if name not in TOKENIZERS:
        raise SchemaError(f"{where}: unsupported tokenizer {tokenizer_el.get('class')!r}")
    tokenizer = TOKENIZERS[name](dict(tokenizer_el.attrib), loader)
    filters = []
    for f in element.findall("filter"):
        fname = short_class(f.get("class", ""))
        if fname not in FILTERS:
            raise SchemaError(
                f"{where} (line {f.sourceline}): unsupported filter {f.get('class')!r}; "
                f"supported: {', '.join(sorted(FILTERS))}"
            )
        filters.append(FILTERS[fname](dict(f.attrib), loader))
    return Analyzer(tokenizer, filters)
