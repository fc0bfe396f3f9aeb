"""schema.xml: field types, fields, dynamic fields, copyFields and the unique key.

The service reads the very file a production Solr loads (CKAN's shipped schema or ours in
config/solr/schema.xml) and derives every indexing and query decision from it.
"""

import fnmatch
import os

from lxml import etree

from .analysis import ResourceLoader, build_analyzer, short_class
from .errors import SchemaError

# Solr field type classes -> the kind of values the engine stores.
TYPE_KINDS = {
    "StrField": "string",
    "TextField": "text",
    "BoolField": "bool",
    "IntPointField": "int",
    "TrieIntField": "int",
    "LongPointField": "long",
    "TrieLongField": "long",
    "FloatPointField": "float",
    "TrieFloatField": "float",
    "DoublePointField": "double",
    "TrieDoubleField": "double",
    "DatePointField": "date",
    "TrieDateField": "date",
    "BinaryField": "binary",
    "UUIDField": "string",
}
NUMERIC_KINDS = {"int", "long", "float", "double", "date"}


class FieldType:
    def __init__(self, name, kind, attrs, index_analyzer=None, query_analyzer=None):
        self.name = name
        self.kind = kind
        self.attrs = attrs
        self.multi_valued = attrs.get("multiValued") == "true"
        self.sort_missing_first = attrs.get("sortMissingFirst") == "true"
        self.position_gap = int(attrs.get("positionIncrementGap", 0) or 0)
        self.index_analyzer = index_analyzer
        self.query_analyzer = query_analyzer or index_analyzer

    @property
    def is_text(self):
        return self.kind == "text"

    @property
    def is_numeric(self):
        return self.kind in NUMERIC_KINDS


class Field:
    """A concrete field (declared, or a dynamic field instantiated for one name)."""

    def __init__(self, name, ftype, attrs):
        self.name = name
        self.type = ftype
        flag = lambda key, default: attrs.get(key, default) == "true"  # noqa: E731
        self.indexed = flag("indexed", "true")
        self.stored = flag("stored", "true")
        self.doc_values = flag("docValues", "false")
        self.multi_valued = attrs.get("multiValued", "true" if ftype.multi_valued else "false") == "true"
        self.required = flag("required", "false")
        self.default = attrs.get("default")

    @property
    def kind(self):
        return self.type.kind

    def __repr__(self):
        return f"Field({self.name!r}, {self.type.name})"


class DynamicField:
    def __init__(self, pattern, ftype, attrs):
        self.pattern = pattern
        self.type = ftype
        self.attrs = attrs

    def matches(self, name):
        if self.pattern == "*":
            return True
        if self.pattern.startswith("*"):
            return name.endswith(self.pattern[1:])
        if self.pattern.endswith("*"):
            return name.startswith(self.pattern[:-1])
        return name == self.pattern


class Schema:
    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.directory = os.path.dirname(self.path)
        self.loader = ResourceLoader(self.directory)
        self.types = {}
        self.fields = {}
        self.dynamic = []
        self.copy_fields = []  # (source pattern, dest)
        self._resolved = {}
        self._copies = {}
        self._sources = {}
        with open(self.path, "rb") as handle:
            self.raw = handle.read()
        self._parse()

    # --- loading -----------------------------------------------------------------------

    def _where(self, element):
        return f"{self.path}, line {element.sourceline}"

    def _parse(self):
        try:
            root = etree.fromstring(self.raw)
        except etree.XMLSyntaxError as exc:
            line, col = exc.position
            raise SchemaError(f"{self.path}, line {line}, column {col}: {exc.msg}") from None
        if root.tag != "schema":
            raise SchemaError(f"{self.path}, line {root.sourceline}: the root element must be <schema>")
        self.name = root.get("name", "")
        self.version = root.get("version", "")
        for el in root.iter("fieldType", "fieldtype"):
            self._add_type(el)
        for el in root.iter("field"):
            self._add_field(el)
        for el in root.iter("dynamicField"):
            self._add_dynamic(el)
        self.dynamic.sort(key=lambda d: (d.pattern == "*", -len(d.pattern)))
        unique = root.find(".//uniqueKey")
        self.unique_key = unique.text.strip() if unique is not None and unique.text else None
        if self.unique_key and self.unique_key not in self.fields:
            raise SchemaError(f"{self._where(unique)}: uniqueKey {self.unique_key!r} is not a declared field")
        for el in root.iter("copyField"):
            source, dest = el.get("source"), el.get("dest")
            if not source or not dest:
                raise SchemaError(f"{self._where(el)}: copyField needs source and dest")
            if self.field(dest) is None:
                raise SchemaError(f"{self._where(el)}: copyField dest {dest!r} is not a field")
            self.copy_fields.append((source, dest))

    def _add_type(self, el):
        name = el.get("name")
        cls = short_class(el.get("class", ""))
        if cls not in TYPE_KINDS:
            raise SchemaError(
                f"{self._where(el)}: field type {name!r} uses class {el.get('class')!r}, which this "
                f"service does not implement; supported: {', '.join(sorted(TYPE_KINDS))}"
            )
        kind = TYPE_KINDS[cls]
        index_an = query_an = None
        if kind == "text":
            analyzers = el.findall("analyzer")
            if not analyzers:
                raise SchemaError(f"{self._where(el)}: text field type {name!r} has no <analyzer>")
            for an in analyzers:
                built = build_analyzer(an, self.loader, self._where(an))
                if an.get("type") == "query":
                    query_an = built
                elif an.get("type") in (None, "index"):
                    index_an = built
                if an.get("type") is None:
                    query_an = query_an or built
            index_an = index_an or query_an
        self.types[name] = FieldType(name, kind, dict(el.attrib), index_an, query_an)

    def _type_of(self, el):
        tname = el.get("type")
        if tname not in self.types:
            raise SchemaError(f"{self._where(el)}: field {el.get('name')!r} has unknown type {tname!r}")
        return self.types[tname]

    def _add_field(self, el):
        name = el.get("name")
        if not name:
            raise SchemaError(f"{self._where(el)}: <field> without a name")
        self.fields[name] = Field(name, self._type_of(el), dict(el.attrib))

    def _add_dynamic(self, el):
        pattern = el.get("name", "")
        if pattern.count("*") != 1 or not (pattern.startswith("*") or pattern.endswith("*")):
            raise SchemaError(f"{self._where(el)}: dynamicField name {pattern!r} must start or end with '*'")
        self.dynamic.append(DynamicField(pattern, self._type_of(el), dict(el.attrib)))

    # --- lookups -----------------------------------------------------------------------

    def field(self, name):
        """The Field for a name (declared or dynamic), or None if the schema has none."""
        if name in self._resolved:
            return self._resolved[name]
        found = self.fields.get(name)
        if found is None:
            for dyn in self.dynamic:
                if dyn.matches(name):
                    found = Field(name, dyn.type, dyn.attrs)
                    break
        self._resolved[name] = found
        return found

    def copy_targets(self, source):
        """Fields a source field is copied into (copyFields do not chain, as in Solr)."""
        if source not in self._copies:
            self._copies[source] = [
                dest
                for pattern, dest in self.copy_fields
                if pattern == source or ("*" in pattern and fnmatch.fnmatchcase(source, pattern))
            ]
        return self._copies[source]
