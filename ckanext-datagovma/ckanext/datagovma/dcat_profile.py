"""The Moroccan DCAT-AP profile (``datagovma_dcat_ap``), composed on top of ckanext-dcat's
``euro_dcat_ap_3``: every field of schemas/dataset.yaml in the standard vocabularies, and the
same mapping read back so that our DCAT can be harvested without loss.

  title/notes_translated -> dct:title / dct:description with @fr @ar @zgh
  owner_org              -> dct:publisher, a foaf:Agent (name @fr @ar, ADMS publisher type)
  gdd_name/gdd_email     -> dcat:contactPoint, a vcard:Kind
  regions/provinces      -> dct:spatial, our own stable URIs (/region/MA-01, /province/01.051);
                            national coverage -> the EU country authority MAR
  themes                 -> dcat:theme: the EU data theme and our own theme URI
  frequency              -> dct:accrualPeriodicity (EU frequency vocabulary)
  data_languages         -> dct:language (EU language vocabulary)
  license_id             -> dct:license of each distribution (the licence URI of the schema)
  resource format        -> dct:format (EU file types) and dcat:mediaType (IANA)
"""

import json
import weakref

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import DCAT, DCATAP, DCT, FOAF, RDF, SKOS, VCARD, RDFProfile
from rdflib import BNode, Graph, Literal, URIRef

from . import multilingual, portal, reference

EU = "http://publications.europa.eu/resource/authority/"
MOROCCO = URIRef(EU + "country/MAR")
ADMS_TYPES = "http://purl.org/adms/publishertype/"
PUBLISHER_TYPES = {
    "ministere": "NationalAuthority", "etablissement-public": "NationalAuthority", "autorite": "NationalAuthority",
    "institution": "NationalAuthority", "collectivite-territoriale": "LocalAuthority", "region": "RegionalAuthority",
}
LANGUAGES = {"fr": "FRA", "ar": "ARA", "en": "ENG", "zgh": "ZGH"}
FILE_TYPES = {"CSV": "CSV", "JSON": "JSON", "XML": "XML", "XLSX": "XLSX", "XLS": "XLS", "ODS": "ODS", "PDF": "PDF",
              "GeoJSON": "GEOJSON", "SHP": "SHP", "ZIP": "ZIP", "TXT": "TXT", "DOCX": "DOCX", "ODT": "ODT",
              "HTML": "HTML", "KML": "KML", "RDF": "RDF", "TTL": "RDF_TURTLE", "JSON-LD": "JSON_LD"}
MEDIA_TYPES = {"CSV": "text/csv", "JSON": "application/json", "XML": "application/xml", "PDF": "application/pdf",
               "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "XLS": "application/vnd.ms-excel", "ODS": "application/vnd.oasis.opendocument.spreadsheet",
               "GeoJSON": "application/geo+json", "ZIP": "application/zip", "SHP": "application/zip",
               "TXT": "text/plain", "HTML": "text/html", "KML": "application/vnd.google-earth.kml+xml"}
IANA = "https://www.iana.org/assignments/media-types/"
# producers already looked up, per graph being serialized (ckanext-dcat makes one profile per dataset)
_PRODUCERS = weakref.WeakKeyDictionary()
# ADMS licence types of the open licences the schema offers
LICENCE_TYPES = {"odc-odbl": ("Attribution", "ShareAlike"), "cc-by": ("Attribution",),
                 "cc-by-sa": ("Attribution", "ShareAlike"), "cc-zero": ("PublicDomain",), "lo-2.0": ("Attribution",),
                 "odc-by": ("Attribution",), "odc-pddl": ("PublicDomain",)}
STABLE = URIRef(EU + "planned-availability/STABLE")
# English labels of the controlled-vocabulary values we use (the DCAT-AP shapes want a prefLabel
# on every skos:Concept); anything else is labelled by its code.
LABELS = {
    "data-theme/AGRI": "Agriculture, fisheries, forestry and food", "data-theme/ECON": "Economy and finance",
    "data-theme/EDUC": "Education, culture and sport", "data-theme/ENER": "Energy",
    "data-theme/ENVI": "Environment", "data-theme/GOVE": "Government and public sector",
    "data-theme/HEAL": "Health", "data-theme/INTR": "International issues",
    "data-theme/JUST": "Justice, legal system and public safety", "data-theme/REGI": "Regions and cities",
    "data-theme/SOCI": "Population and society", "data-theme/TECH": "Science and technology",
    "data-theme/TRAN": "Transport", "frequency/DAILY": "daily", "frequency/WEEKLY": "weekly",
    "frequency/MONTHLY": "monthly", "frequency/QUARTERLY": "quarterly", "frequency/ANNUAL_2": "semiannual",
    "frequency/ANNUAL": "annual", "frequency/IRREG": "irregular", "frequency/NEVER": "never",
    "frequency/UNKNOWN": "unknown", "language/FRA": "French", "language/ARA": "Arabic", "language/ENG": "English",
    "language/ZGH": "Standard Moroccan Tamazight", "planned-availability/STABLE": "stable",
    "NationalAuthority": "National authority", "LocalAuthority": "Local authority",
    "RegionalAuthority": "Regional authority", "Attribution": "Attribution", "ShareAlike": "Share alike",
    "PublicDomain": "Public domain",
}


def _label(uri):
    text = str(uri)
    for key, label in LABELS.items():
        if text.endswith("/" + key):
            return label
    return text.rsplit("/", 1)[-1]


def _site():
    return tk.config.get("ckan.site_url").rstrip("/")


def _translations(value):
    return multilingual.parse(value) or {}


def _list(value):
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.startswith("["):
        return json.loads(value)
    return [value] if value else []


def _schema_choices(field_name):
    return portal.choices(field_name)


def frequency_uris():
    return {c["value"]: URIRef(EU + "frequency/" + c["eu"]) for c in _schema_choices("frequency") if c.get("eu")}


def licence_uris():
    return {c["value"]: URIRef(c["uri"]) for c in _schema_choices("license_id") if c.get("uri")}


def region_uri(code):
    return URIRef(f"{_site()}/region/{code}")


def province_uri(code):
    return URIRef(f"{_site()}/province/{code}")


def theme_uri(slug):
    return URIRef(f"{_site()}/group/{slug}")


def _script_language(text):
    return "ar" if any("\u0600" <= ch <= "\u06ff" for ch in text) else "fr"


class DatagovmaDCATAPProfile(RDFProfile):
    """Runs after euro_dcat_ap_3 (``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 datagovma_dcat_ap``)."""

    def _producer(self, org_id):
        """organization_show once per producer and serialization: a catalogue page of 100
        datasets has only a few producers, and each call counts the producer's datasets."""
        cache = _PRODUCERS.setdefault(self.g, {})
        if org_id not in cache:
            cache[org_id] = tk.get_action("organization_show")(
                {"ignore_auth": True}, {"id": org_id, "include_datasets": False, "include_users": False,
                                        "include_followers": False})
        return cache[org_id]

    def _concept(self, uri, scheme, labels=None):
        """A controlled-vocabulary value: a labelled skos:Concept of its scheme, as the DCAT-AP
        shapes ask."""
        self.g.add((uri, RDF.type, SKOS.Concept))
        self.g.add((uri, SKOS.inScheme, URIRef(scheme)))
        if (URIRef(scheme), RDF.type, SKOS.ConceptScheme) not in self.g:
            self.g.add((URIRef(scheme), RDF.type, SKOS.ConceptScheme))
            self.g.add((URIRef(scheme), DCT.title, Literal(scheme.rstrip("/").rsplit("/", 1)[-1], lang="en")))
        for lang, label in (labels or {"en": _label(uri)}).items():
            self.g.add((uri, SKOS.prefLabel, Literal(label, lang=lang)))

    # --- serializing ------------------------------------------------------------------------

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        """Adds the Moroccan fields to the graph euro_dcat_ap_3 made of ``dataset_dict``.

        :param dataset_dict: the dataset as package_show gives it
        :param dataset_ref: the dataset's URI in the graph
        """
        g = self.g
        self._multilingual(dataset_ref, DCT.title, dataset_dict.get("title_translated"), dataset_dict.get("title"))
        self._multilingual(dataset_ref, DCT.description, dataset_dict.get("notes_translated"),
                           dataset_dict.get("notes"))
        g.remove((dataset_ref, DCAT.keyword, None))
        for tag in dataset_dict.get("tags", []):
            g.add((dataset_ref, DCAT.keyword, Literal(tag["name"], lang=_script_language(tag["name"]))))

        self._publisher(dataset_dict, dataset_ref)
        self._contact_point(dataset_dict, dataset_ref)

        g.remove((dataset_ref, DCT.spatial, None))
        regions = _list(dataset_dict.get("regions"))
        if dataset_dict.get("spatial_coverage") == "regional" and regions:
            for code in regions:
                ref = region_uri(code)
                g.add((dataset_ref, DCT.spatial, ref))
                g.add((ref, RDF.type, DCT.Location))
            for code in _list(dataset_dict.get("provinces")):
                ref = province_uri(code)
                g.add((dataset_ref, DCT.spatial, ref))
                g.add((ref, RDF.type, DCT.Location))
        else:
            g.add((dataset_ref, DCT.spatial, MOROCCO))
            g.add((MOROCCO, RDF.type, DCT.Location))
            self._concept(MOROCCO, EU + "country", {"fr": "Maroc", "ar": "المغرب", "en": "Morocco"})

        g.remove((dataset_ref, DCAT.theme, None))
        themes = reference.themes()
        for slug in _list(dataset_dict.get("themes")):
            if slug in themes:
                eu_theme = URIRef(EU + "data-theme/" + themes[slug]["eu_data_theme"])
                g.add((dataset_ref, DCAT.theme, eu_theme))
                self._concept(eu_theme, EU + "data-theme")
                g.add((dataset_ref, DCAT.theme, theme_uri(slug)))
                self._concept(theme_uri(slug), f"{_site()}/group",
                              {"fr": themes[slug]["name_fr"], "ar": themes[slug]["name_ar"]})

        g.remove((dataset_ref, DCT.accrualPeriodicity, None))
        frequency = frequency_uris().get(dataset_dict.get("frequency"))
        if frequency is not None:
            g.add((dataset_ref, DCT.accrualPeriodicity, frequency))
            g.add((frequency, RDF.type, DCT.Frequency))
            self._concept(frequency, EU + "frequency")

        g.remove((dataset_ref, DCT.language, None))
        for code in _list(dataset_dict.get("data_languages")):
            if code in LANGUAGES:
                language = URIRef(EU + "language/" + LANGUAGES[code])
                g.add((dataset_ref, DCT.language, language))
                g.add((language, RDF.type, DCT.LinguisticSystem))
                self._concept(language, EU + "language")

        licence = licence_uris().get(dataset_dict.get("license_id"))
        if licence is not None:
            for kind in LICENCE_TYPES.get(dataset_dict.get("license_id"), ()):
                g.add((licence, DCT.type, URIRef("http://purl.org/adms/licencetype/" + kind)))
                self._concept(URIRef("http://purl.org/adms/licencetype/" + kind), "http://purl.org/adms/licencetype/1.0")
        for resource in dataset_dict.get("resources", []):
            self._distribution(dataset_dict, resource, licence)

    def _multilingual(self, subject, predicate, translated, fallback):
        values = {k: v for k, v in _translations(translated).items() if v}
        if not values and not fallback:
            return
        self.g.remove((subject, predicate, None))
        if not values:
            values = {_script_language(fallback): fallback}
        for lang, text in values.items():
            self.g.add((subject, predicate, Literal(text, lang=lang)))

    def _publisher(self, dataset_dict, dataset_ref):
        org = dataset_dict.get("organization") or {}
        if not org:
            return
        g = self.g
        for old in list(g.objects(dataset_ref, DCT.publisher)):
            g.remove((old, None, None))
        g.remove((dataset_ref, DCT.publisher, None))
        ref = URIRef(f"{_site()}/organization/{org['name']}")
        g.add((dataset_ref, DCT.publisher, ref))
        g.add((ref, RDF.type, FOAF.Agent))
        full = self._producer(org["id"])
        names = _translations(full.get("title_translated")) or {"fr": full.get("title") or org["name"]}
        for lang, text in names.items():
            if text:
                g.add((ref, FOAF.name, Literal(text, lang=lang)))
        kind = PUBLISHER_TYPES.get(full.get("producer_type"))
        if kind:
            g.add((ref, DCT.type, URIRef(ADMS_TYPES + kind)))
            self._concept(URIRef(ADMS_TYPES + kind), ADMS_TYPES + "1.0")
        if full.get("website"):
            g.add((ref, FOAF.homepage, URIRef(full["website"])))
            g.add((URIRef(full["website"]), RDF.type, FOAF.Document))

    def _contact_point(self, dataset_dict, dataset_ref):
        name = dataset_dict.get("gdd_name") or dataset_dict.get("rod_name")
        email = dataset_dict.get("gdd_email") or dataset_dict.get("rod_email")
        if not (name or email):
            return
        g = self.g
        for old in list(g.objects(dataset_ref, DCAT.contactPoint)):
            g.remove((old, None, None))
        g.remove((dataset_ref, DCAT.contactPoint, None))
        contact = BNode()
        g.add((dataset_ref, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Kind))
        if name:
            g.add((contact, VCARD.fn, Literal(name)))
        if email:
            g.add((contact, VCARD.hasEmail, URIRef("mailto:" + email)))

    def _distribution(self, dataset_dict, resource, licence):
        g = self.g
        refs = [d for d in g.objects(None, DCAT.distribution)
                if (d, DCT.identifier, Literal(resource["id"])) in g or str(d).endswith(resource["id"])]
        if not refs:
            return
        ref = refs[0]
        names = _translations(resource.get("name_translated"))
        if names:
            g.remove((ref, DCT.title, None))
            for lang, text in names.items():
                g.add((ref, DCT.title, Literal(text, lang=lang)))
        descriptions = _translations(resource.get("description_translated")) or names
        if descriptions:
            g.remove((ref, DCT.description, None))
            for lang, text in descriptions.items():
                g.add((ref, DCT.description, Literal(text, lang=lang)))
        fmt = resource.get("format")
        if fmt in FILE_TYPES:
            g.remove((ref, DCT["format"], None))
            file_type = URIRef(EU + "file-type/" + FILE_TYPES[fmt])
            g.add((ref, DCT["format"], file_type))
            g.add((file_type, RDF.type, DCT.MediaTypeOrExtent))
            self._concept(file_type, EU + "file-type")
        if fmt in MEDIA_TYPES:
            g.remove((ref, DCAT.mediaType, None))
            media = URIRef(IANA + MEDIA_TYPES[fmt])
            g.add((ref, DCAT.mediaType, media))
            g.add((media, RDF.type, DCT.MediaType))
        g.add((ref, DCATAP.availability, STABLE))
        self._concept(STABLE, EU + "planned-availability")
        if licence is not None:
            g.remove((ref, DCT.license, None))
            g.add((ref, DCT.license, licence))
            g.add((licence, RDF.type, DCT.LicenseDocument))

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        """The catalogue itself: titles in French and Arabic, Morocco as its spatial coverage."""
        g = self.g
        g.remove((catalog_ref, DCT.title, None))
        g.add((catalog_ref, DCT.title, Literal(tk.config.get("ckan.site_title") or "data.gov.ma", lang="fr")))
        g.add((catalog_ref, DCT.title, Literal("البوابة الوطنية للبيانات المفتوحة", lang="ar")))
        if not list(g.objects(catalog_ref, DCT.description)):
            g.add((catalog_ref, DCT.description,
                   Literal("Portail national des données ouvertes du Royaume du Maroc", lang="fr")))
        g.add((catalog_ref, DCT.spatial, MOROCCO))
        g.add((MOROCCO, RDF.type, DCT.Location))
        self._concept(MOROCCO, EU + "country", {"fr": "Maroc", "ar": "المغرب", "en": "Morocco"})
        odbl = licence_uris().get("odc-odbl")
        if odbl is not None and not list(g.objects(catalog_ref, DCT.license)):
            g.add((catalog_ref, DCT.license, odbl))
            g.add((odbl, RDF.type, DCT.LicenseDocument))
        for homepage in list(g.objects(catalog_ref, FOAF.homepage)):
            g.add((homepage, RDF.type, FOAF.Document))
        g.remove((catalog_ref, DCT.language, None))
        for code in ("FRA", "ARA"):
            language = URIRef(EU + "language/" + code)
            g.add((catalog_ref, DCT.language, language))
            g.add((language, RDF.type, DCT.LinguisticSystem))
            self._concept(language, EU + "language")
        if not list(g.objects(catalog_ref, DCT.publisher)):
            operator = tk.config.get("ckanext.datagovma.catalog.publisher")
            publisher = URIRef(f"{_site()}/organization/{operator}")
            row = reference.producers().get(operator, {})
            g.add((catalog_ref, DCT.publisher, publisher))
            g.add((publisher, RDF.type, FOAF.Agent))
            for lang, key in (("fr", "name_fr"), ("ar", "name_ar")):
                if row.get(key):
                    g.add((publisher, FOAF.name, Literal(row[key], lang=lang)))
            kind = PUBLISHER_TYPES.get(row.get("type"))
            if kind:
                g.add((publisher, DCT.type, URIRef(ADMS_TYPES + kind)))
                self._concept(URIRef(ADMS_TYPES + kind), ADMS_TYPES + "1.0")

    # --- parsing ------------------------------------------------------------------------------

    def parse_dataset(self, dataset_dict, dataset_ref):
        """Reads the Moroccan fields back from a graph this profile (or a like one) made.

        :param dataset_dict: what euro_dcat_ap_3 parsed
        :param dataset_ref: the dataset's URI in the graph
        :returns: the dataset dict with the Moroccan fields
        """
        g = self.g
        for field, predicate in (("title_translated", DCT.title), ("notes_translated", DCT.description)):
            values = {o.language: str(o) for o in g.objects(dataset_ref, predicate)
                      if isinstance(o, Literal) and o.language}
            if values:
                dataset_dict[field] = values
        # Region, province, theme and producer URIs are read by their path, whatever the site:
        # another portal running this profile names them the same way.
        regions, provinces = [], []
        for spatial in g.objects(dataset_ref, DCT.spatial):
            kind, _, code = str(spatial).rstrip("/").rpartition("/")
            if kind.endswith("/region") and code in reference.regions():
                regions.append(code)
            elif kind.endswith("/province") and code in reference.provinces():
                provinces.append(code)
        dataset_dict["spatial_coverage"] = "regional" if regions else "national"
        if regions:
            dataset_dict["regions"] = sorted(regions)
        if provinces:
            dataset_dict["provinces"] = sorted(provinces)
        themes = [str(t).rstrip("/").rsplit("/", 1)[-1] for t in g.objects(dataset_ref, DCAT.theme)
                  if "/group/" in str(t)]
        themes = [t for t in themes if t in reference.themes()]
        if themes:
            dataset_dict["themes"] = sorted(themes)
        frequencies = {str(uri): value for value, uri in frequency_uris().items()}
        frequency = next((frequencies[str(o)] for o in g.objects(dataset_ref, DCT.accrualPeriodicity)
                          if str(o) in frequencies), None)
        if frequency:
            dataset_dict["frequency"] = frequency
        languages = {EU + "language/" + v: k for k, v in LANGUAGES.items()}
        found = [languages[str(o)] for o in g.objects(dataset_ref, DCT.language) if str(o) in languages]
        if found:
            dataset_dict["data_languages"] = sorted(found)
        publisher = next(iter(g.objects(dataset_ref, DCT.publisher)), None)
        if publisher is not None and "/organization/" in str(publisher):
            dataset_dict["owner_org"] = str(publisher).rsplit("/", 1)[-1]
        contact = next(iter(g.objects(dataset_ref, DCAT.contactPoint)), None)
        if contact is not None:
            name = next(iter(g.objects(contact, VCARD.fn)), None)
            email = next(iter(g.objects(contact, VCARD.hasEmail)), None)
            if name:
                dataset_dict["gdd_name"] = str(name)
            if email:
                dataset_dict["gdd_email"] = str(email).replace("mailto:", "")
        licences = {str(uri): value for value, uri in licence_uris().items()}
        for distribution in g.objects(dataset_ref, DCAT.distribution):
            for licence in g.objects(distribution, DCT.license):
                if str(licence) in licences:
                    dataset_dict["license_id"] = licences[str(licence)]
        for key in ("title", "notes"):
            translated = dataset_dict.get(f"{key}_translated") or {}
            if translated:
                dataset_dict[key] = translated.get("fr") or translated.get("ar") or next(iter(translated.values()))
        file_types = {EU + "file-type/" + code: fmt for fmt, code in FILE_TYPES.items()}
        for resource in dataset_dict.get("resources", []):
            if resource.get("format") in file_types:
                resource["format"] = file_types[resource["format"]]
            distribution = URIRef(resource.get("uri", "")) if resource.get("uri") else None
            if distribution is None:
                continue
            names = {o.language: str(o) for o in g.objects(distribution, DCT.title)
                     if isinstance(o, Literal) and o.language}
            if names:
                resource["name_translated"] = names
                resource["name"] = names.get("fr") or next(iter(names.values()))
        return dataset_dict


def region_graph(code):
    """A region (or province) as RDF: a dct:Location and skos:Concept with its French and Arabic
    labels and its code, served at its own URI."""
    g = Graph()
    g.bind("skos", SKOS)
    g.bind("dct", DCT)
    if code in reference.regions():
        row = reference.regions()[code]
        ref = region_uri(code)
        labels = {"fr": row["name_fr"], "ar": row["name_ar"]}
    else:
        row = reference.provinces()[code]
        ref = province_uri(code)
        labels = {"fr": row["name_fr"]}
        g.add((ref, SKOS.broader, region_uri(row["region"])))
    g.add((ref, RDF.type, DCT.Location))
    g.add((ref, RDF.type, SKOS.Concept))
    for lang, label in labels.items():
        g.add((ref, SKOS.prefLabel, Literal(label, lang=lang)))
    g.add((ref, SKOS.notation, Literal(code)))
    g.add((ref, SKOS.inScheme, MOROCCO))
    return g
