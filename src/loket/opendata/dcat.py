"""The DCAT-AP 3 catalogue of the open data, built with rdflib (served as JSON-LD and Turtle).

Identifiers are hash URIs in the catalogue document (``…/open-data/catalog#cases``), so each can
be looked up. Every concept the catalogue uses (themes, file types, licences, places…) is
described in it too, with its class and concept scheme, so that the catalogue validates against
the DCAT-AP 3.0.1 shapes on its own. URI choices are explained in docs/open-data.md.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from rdflib import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from loket.core.models import Administration
from loket.core.public import public_base
from loket.opendata.datasets import (
    FORMATS,
    LANGUAGES,
    LICENCES,
    DatasetSpec,
    Licence,
    get_dataset,
)
from loket.opendata.models import Release, ReleasedDataset
from loket.opendata.publish import latest_release

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
EU = "http://publications.europa.eu/resource/authority/"
THEME_SCHEME = URIRef(f"{EU}data-theme")
IANA = "http://www.iana.org/assignments/media-types/"
FILE_TYPES = {"csv": "CSV", "json": "JSON", "geojson": "GEOJSON"}
LANGUAGE_URIS = {"fr": f"{EU}language/FRA", "nl": f"{EU}language/NLD", "en": f"{EU}language/ENG"}
BELGIUM = URIRef(f"{EU}country/BEL")
REGION = URIRef("http://data.europa.eu/nuts/code/BE1")  # NUTS 1: Brussels-Capital Region
REFNIS = "http://vocab.belgif.be/auth/refnis2019/{nis}#id"  # Belgif, NIS code of a municipality
PUBLISHER_TYPE = URIRef("http://purl.org/adms/publishertype/RegionalAuthority")
MONTHLY = URIRef(f"{EU}frequency/MONTHLY")
# The datasets counted per municipality: each of the 19 is named as a place they cover.
PER_MUNICIPALITY = ("cases", "certificates-issued")
SCHEMES = {
    f"{EU}data-theme": "Data theme",
    f"{EU}file-type": "File type",
    f"{EU}language": "Language",
    f"{EU}country": "Country",
    f"{EU}frequency": "Frequency",
    f"{EU}planned-availability": "Planned availability",
    "http://data.europa.eu/nuts": "NUTS",
    "http://purl.org/adms/publishertype/1.0": "ADMS publisher type",
    "http://purl.org/adms/licencetype/1.0": "ADMS licence type",
}
NAMES: dict[str, dict[str, str]] = {
    "catalog": {
        "fr": "Données ouvertes du guichet numérique de la Région de Bruxelles-Capitale",
        "nl": "Open data van het digitale loket van het Brussels Hoofdstedelijk Gewest",
        "en": "Open data of the digital counter of the Brussels-Capital Region",
    },
    "catalog_description": {
        "fr": "Statistiques sur les démarches en ligne, protégées contre la divulgation.",
        "nl": "Statistieken over de online procedures, beschermd tegen onthulling.",
        "en": "Statistics on the online procedures, protected against disclosure.",
    },
    "publisher": {
        "fr": "Région de Bruxelles-Capitale, Paradigm",
        "nl": "Brussels Hoofdstedelijk Gewest, Paradigm",
        "en": "Brussels-Capital Region, Paradigm",
    },
    "columns": {"fr": "Colonnes", "nl": "Kolommen", "en": "Columns"},
}
FILE_TEXTS: dict[str, dict[str, str]] = {
    "csv": {
        "fr": "Fichier CSV (UTF-8, avec en-tête ; cellule vide : masquée) de la version",
        "nl": "CSV-bestand (UTF-8, met kopregel; lege cel: verborgen) van versie",
        "en": "CSV file (UTF-8, with header; empty cell: withheld) of release",
    },
    "json": {
        "fr": "Fichier JSON (lignes par nom de colonne ; null : masqué) de la version",
        "nl": "JSON-bestand (rijen per kolomnaam; null: verborgen) van versie",
        "en": "JSON file (rows by column name; null: withheld) of release",
    },
    "geojson": {
        "fr": "Fichier GeoJSON (points arrondis à une grille d'au moins 100 m) de la version",
        "nl": "GeoJSON-bestand (punten afgerond op een raster van minstens 100 m) van versie",
        "en": "GeoJSON file (points snapped to a grid of at least 100 m) of release",
    },
}


class CatalogueBuilder:
    def __init__(self, base: str, release: Release | None) -> None:
        self.base = base
        self.release = release
        self.graph = Graph()
        self.catalog = URIRef(f"{base}/open-data/catalog")
        for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF)):
            self.graph.bind(prefix, namespace)
        self.graph.bind("vcard", VCARD)

    def ref(self, fragment: str) -> URIRef:
        return URIRef(f"{self.catalog}#{fragment}")

    def add(self, subject: Node, predicate: Node, value: Node) -> None:
        self.graph.add((subject, predicate, value))

    def texts(self, subject: Node, predicate: Node, texts: dict[str, str]) -> None:
        for language in LANGUAGES:
            self.add(subject, predicate, Literal(texts[language], lang=language))

    def concept(self, uri: URIRef, scheme: str, label: str, *classes: URIRef) -> URIRef:
        scheme_uri = URIRef(scheme)
        self.add(uri, RDF.type, SKOS.Concept)
        for cls in classes:
            self.add(uri, RDF.type, cls)
        self.add(uri, SKOS.inScheme, scheme_uri)
        self.add(uri, SKOS.prefLabel, Literal(label, lang="en"))
        self.add(scheme_uri, RDF.type, SKOS.ConceptScheme)
        self.add(scheme_uri, DCTERMS.title, Literal(SCHEMES.get(scheme, scheme), lang="en"))
        return uri

    def document(self, url: str) -> URIRef:
        uri = URIRef(url)
        self.add(uri, RDF.type, FOAF.Document)
        return uri

    def build(self) -> Graph:
        c = self.catalog
        self.add(c, RDF.type, DCAT.Catalog)
        self.texts(c, DCTERMS.title, NAMES["catalog"])
        self.texts(c, DCTERMS.description, NAMES["catalog_description"])
        self.add(c, DCTERMS.publisher, self.publisher())
        self.add(c, DCAT.contactPoint, self.contact())
        self.add(c, FOAF.homepage, self.document(f"{self.base}/fr/open-data/"))
        self.add(c, DCAT.themeTaxonomy, THEME_SCHEME)
        self.add(THEME_SCHEME, RDF.type, SKOS.ConceptScheme)
        self.add(THEME_SCHEME, DCTERMS.title, Literal(SCHEMES[str(THEME_SCHEME)], lang="en"))
        self.add(c, DCTERMS.license, self.licence(LICENCES["CC0-1.0"]))
        for language, uri in LANGUAGE_URIS.items():
            self.add(c, DCTERMS.language, self.language(language, uri))
        for place in self.places(municipalities=False):
            self.add(c, DCTERMS.spatial, place)
        if self.release is not None:
            self.add(c, DCTERMS.modified, Literal(self.release.published_at, datatype=XSD.dateTime))
            for released in self.release.datasets.all():
                spec = get_dataset(released.dataset)
                if spec is not None:
                    self.add(c, DCAT.dataset, self.dataset(spec, released))
        return self.graph

    def publisher(self) -> URIRef:
        agent = self.ref("publisher")
        self.add(agent, RDF.type, FOAF.Agent)
        self.add(agent, RDF.type, FOAF.Organization)
        self.texts(agent, FOAF.name, NAMES["publisher"])
        self.add(agent, FOAF.homepage, self.document("https://paradigm.brussels/"))
        scheme = "http://purl.org/adms/publishertype/1.0"
        self.add(agent, DCTERMS.type, self.concept(PUBLISHER_TYPE, scheme, "Regional authority"))
        return agent

    def contact(self) -> URIRef:
        contact = self.ref("contact")
        self.add(contact, RDF.type, VCARD.Organization)
        self.add(contact, RDF.type, VCARD.Kind)
        self.add(contact, VCARD.fn, Literal(NAMES["publisher"]["en"], lang="en"))
        email = settings.LOKET_OPENDATA_CONTACT
        self.add(contact, VCARD.hasEmail, URIRef(f"mailto:{email}"))
        self.add(contact, VCARD.hasURL, URIRef(f"{self.base}/en/open-data/"))
        return contact

    def licence(self, licence: Licence) -> URIRef:
        uri = URIRef(licence.uri)
        self.add(uri, RDF.type, DCTERMS.LicenseDocument)
        self.add(uri, DCTERMS.title, Literal(licence.name))
        self.add(uri, SKOS.exactMatch, URIRef(licence.eu_uri))
        self.add(uri, OWL.sameAs, URIRef(licence.eu_uri))
        scheme = "http://purl.org/adms/licencetype/1.0"
        kind = licence.licence_type.rsplit("/", 1)[1]
        self.add(uri, DCTERMS.type, self.concept(URIRef(licence.licence_type), scheme, kind))
        return uri

    def language(self, code: str, uri: str) -> URIRef:
        return self.concept(URIRef(uri), f"{EU}language", code, DCTERMS.LinguisticSystem)

    def places(self, municipalities: bool) -> list[URIRef]:
        places = [
            self.concept(BELGIUM, f"{EU}country", "Belgium", DCTERMS.Location),
            self.concept(
                REGION, "http://data.europa.eu/nuts", "Brussels-Capital Region", DCTERMS.Location
            ),
        ]
        if municipalities:
            kind = Administration.Kind.MUNICIPALITY
            for administration in Administration.objects.filter(kind=kind):
                uri = URIRef(REFNIS.format(nis=administration.id))
                self.add(uri, RDF.type, DCTERMS.Location)
                self.add(uri, SKOS.notation, Literal(administration.id))
                for language in ("fr", "nl"):
                    name = administration.names.get(language, "")
                    self.add(uri, SKOS.prefLabel, Literal(name, lang=language))
                places.append(uri)
        return places

    def dataset(self, spec: DatasetSpec, released: ReleasedDataset) -> URIRef:
        dataset = self.ref(spec.id)
        self.add(dataset, RDF.type, DCAT.Dataset)
        self.texts(dataset, DCTERMS.title, spec.title_texts)
        self.texts(dataset, DCTERMS.description, described_columns(spec))
        for language in LANGUAGES:
            for keyword in spec.keywords[language]:
                self.add(dataset, DCAT.keyword, Literal(keyword, lang=language))
        for theme in spec.themes:
            uri = URIRef(f"{EU}data-theme/{theme}")
            self.add(dataset, DCAT.theme, self.concept(uri, str(THEME_SCHEME), theme))
        self.add(dataset, DCTERMS.publisher, self.ref("publisher"))
        self.add(dataset, DCAT.contactPoint, self.ref("contact"))
        for language in LANGUAGES:
            page = f"{self.base}/{language}/open-data/{spec.id}/"
            self.add(dataset, DCAT.landingPage, self.document(page))
        for place in self.places(municipalities=spec.id in PER_MUNICIPALITY):
            self.add(dataset, DCTERMS.spatial, place)
        self.add(dataset, DCTERMS.accrualPeriodicity, self.frequency())
        self.add(dataset, DCTERMS.issued, Literal(released.release.published_at))
        self.add(dataset, DCTERMS.modified, Literal(released.release.published_at))
        self.temporal(dataset, released.release)
        for extension in spec.formats:
            self.add(dataset, DCAT.distribution, self.distribution(spec, released, extension))
        return dataset

    def frequency(self) -> URIRef:
        return self.concept(MONTHLY, f"{EU}frequency", "monthly", DCTERMS.Frequency)

    def temporal(self, dataset: URIRef, release: Release) -> None:
        if release.period_start is None:
            return
        period = self.ref(f"period-{release.id}")
        self.add(period, RDF.type, DCTERMS.PeriodOfTime)
        self.add(period, DCAT.startDate, Literal(release.period_start, datatype=XSD.date))
        end = release.period_end - timedelta(days=1)
        self.add(period, DCAT.endDate, Literal(end, datatype=XSD.date))
        self.add(dataset, DCTERMS.temporal, period)

    def distribution(self, spec: DatasetSpec, released: ReleasedDataset, extension: str) -> URIRef:
        release = released.release
        distribution = self.ref(f"{spec.id}-{release.id}-{extension}")
        self.add(distribution, RDF.type, DCAT.Distribution)
        self.texts(
            distribution,
            DCTERMS.title,
            {
                language: f"{spec.title_texts[language]} ({extension.upper()}, {release.id})"
                for language in LANGUAGES
            },
        )
        self.texts(
            distribution,
            DCTERMS.description,
            {
                language: f"{FILE_TEXTS[extension][language]} {release.id}."
                for language in LANGUAGES
            },
        )
        availability = URIRef(f"{EU}planned-availability/STABLE")
        self.concept(availability, f"{EU}planned-availability", "stable")
        self.add(distribution, DCATAP.availability, availability)
        self.add(
            distribution,
            DCAT.accessURL,
            URIRef(download_url(self.base, "latest", spec.id, extension)),
        )
        self.add(
            distribution,
            DCAT.downloadURL,
            URIRef(download_url(self.base, release.id, spec.id, extension)),
        )
        media_type = URIRef(IANA + FORMATS[extension])
        self.add(media_type, RDF.type, DCTERMS.MediaType)
        self.add(media_type, RDF.type, DCTERMS.MediaTypeOrExtent)
        self.add(distribution, DCAT.mediaType, media_type)
        file_type = URIRef(f"{EU}file-type/{FILE_TYPES[extension]}")
        self.concept(file_type, f"{EU}file-type", FILE_TYPES[extension], DCTERMS.MediaTypeOrExtent)
        self.add(distribution, DCTERMS.format, file_type)
        self.add(distribution, DCTERMS.license, self.licence(spec.licence))
        self.add(distribution, DCTERMS.issued, Literal(release.published_at))
        size = released.sizes.get(extension)
        if size is not None:
            self.add(distribution, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger))
        return distribution


def described_columns(spec: DatasetSpec) -> dict[str, str]:
    """The description followed by the list of columns, in each language."""
    return {
        language: f"{spec.description_texts[language]}\n\n{NAMES['columns'][language]}: "
        + "; ".join(f"{c.name}: {c.texts[language]}" for c in spec.columns)
        for language in LANGUAGES
    }


def download_url(base: str, release_id: str, dataset_id: str, extension: str) -> str:
    return f"{base}/open-data/{release_id}/{dataset_id}.{extension}"


def catalogue_graph(request: HttpRequest | None = None) -> Graph:
    return CatalogueBuilder(public_base(request), latest_release()).build()


JSONLD_CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "skos": str(SKOS),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}
