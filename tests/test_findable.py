"""Procedures findable where people search (#18): schema.org structured data parsed back with a
JSON-LD processor and checked against schema.org's vocabulary, the Single Digital Gateway's
meta tags, canonical and hreflang links, the sitemap of each door, and the description that
municipal websites embed (with ETags)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pyld import jsonld

from loket.catalog.models import Procedure

pytestmark = pytest.mark.django_db

SCHEMAORG = Path(__file__).parent / "data" / "schemaorg"
VOCAB = ("http://schema.org/", "https://schema.org/")
HOSTS = ("localhost", "ixelles.localhost", "schaerbeek.localhost")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@cache
def vocabulary() -> dict[str, Any]:
    return json.loads((SCHEMAORG / "vocabulary-30.0.json").read_text())


def offline_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """schema.org's context from the release shipped in tests/data: no network in tests."""
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise ValueError(f"the test loads no other document: {url}")
    document = json.loads((SCHEMAORG / "context-30.0.jsonld").read_text())
    return {"contentType": "application/ld+json", "contextUrl": None,
            "documentUrl": url, "document": document}  # fmt: skip


def term(iri: str) -> str:
    for prefix in VOCAB:
        if iri.startswith(prefix):
            return iri[len(prefix) :]
    raise AssertionError(f"not a schema.org term: {iri}")


def ancestors(kind: str) -> set[str]:
    classes = vocabulary()["classes"]
    assert kind in classes, f"schema.org has no type {kind}"
    found = {kind}
    for parent in classes[kind]:
        found |= ancestors(parent)
    return found


def check_node(node: dict[str, Any]) -> list[str]:
    """Each type is schema.org's, each property applies to the node's type (domainIncludes) and
    each nested node's type is in the property's range; returns the types met."""
    types = [term(t) for t in node.get("@type", [])]
    assert types, f"a node without a type: {node}"
    lineage = set().union(*(ancestors(t) for t in types))
    met = list(types)
    for key, values in node.items():
        if key.startswith("@"):
            continue
        name = term(key)
        prop = vocabulary()["properties"].get(name)
        assert prop is not None, f"schema.org has no property {name}"
        assert lineage & set(prop["domain"]), f"{name} does not apply to {types}"
        for value in values:
            if "@type" in value and "@value" not in value:
                nested = set().union(*(ancestors(term(t)) for t in value["@type"]))
                assert nested & set(prop["range"]), f"{name} cannot hold {value['@type']}"
                met += check_node(value)
    return met


class HeadReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.scripts: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and "name" in values:
            self.meta[values["name"]] = values.get("content", "")
        elif tag == "link":
            self.links.append(values)
        elif tag == "script" and values.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_json_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.scripts[-1] += data


def read(host: str, path: str) -> HeadReader:
    response = Client(HTTP_HOST=host).get(path)
    assert response.status_code == 200
    reader = HeadReader()
    reader.feed(response.content.decode())
    return reader


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_every_procedure_page_carries_a_valid_government_service(host: str, lang: str) -> None:
    for procedure in Procedure.objects.select_related("administration"):
        page = read(host, f"/{lang}/procedures/{procedure.id}/")
        assert len(page.scripts) == 1, procedure.id
        data = json.loads(page.scripts[0])
        [service] = jsonld.expand(data, {"documentLoader": offline_loader})
        met = check_node(service)
        assert met[0] == "GovernmentService"
        assert {"GovernmentOrganization", "AdministrativeArea", "ServiceChannel"} <= set(met)
        assert data["name"] == procedure.name
        canonical_host = host if procedure.is_municipal else "localhost"  # the region's door
        assert data["url"] == f"http://{canonical_host}/{lang}/procedures/{procedure.id}/"
        for offer in data.get("offers", []):
            assert re.fullmatch(r"\d+\.\d\d", offer["price"]), procedure.id
            assert offer["priceCurrency"] == "EUR"
        if procedure.fee_eur:
            assert "Offer" in met, procedure.id
        assert data["availableChannel"]["serviceUrl"].startswith(f"http://{host}/{lang}/")


def test_the_provider_and_area_of_a_municipal_procedure_are_the_door_s_municipality() -> None:
    page = read("ixelles.localhost", "/en/procedures/population-extract/")
    data = json.loads(page.scripts[0])
    assert data["provider"]["name"] == "Ixelles / Elsene"
    assert data["areaServed"]["name"] == "Ixelles / Elsene"
    regional = json.loads(read("localhost", "/en/procedures/population-extract/").scripts[0])
    assert regional["areaServed"]["name"] == "Brussels-Capital Region"
    parking = json.loads(
        read("ixelles.localhost", "/en/procedures/residents-parking-card/").scripts[0]
    )
    assert parking["provider"]["name"] == "parking.brussels"


def test_procedure_pages_carry_the_single_digital_gateway_tags() -> None:
    page = read("localhost", "/en/procedures/residents-parking-card/")
    assert page.meta["sdg-tag"] == "sdg"
    assert page.meta["DC.ISO3166"] == "BE"
    assert page.meta["DC.Location"] == "BE10"
    assert page.meta["DC.Service"] == "procedure"


def head_links(page: HeadReader) -> tuple[list[str], dict[str, str]]:
    canonical = [link["href"] for link in page.links if link.get("rel") == "canonical"]
    alternates = {
        link["hreflang"]: link["href"] for link in page.links if link.get("rel") == "alternate"
    }
    return canonical, alternates


@pytest.mark.parametrize("host", HOSTS)
def test_a_regional_procedure_s_canonical_and_hreflang_are_the_region_s_page(host: str) -> None:
    page = read(host, "/nl/procedures/residents-parking-card/?back=x")
    canonical, alternates = head_links(page)
    assert canonical == ["http://localhost/nl/procedures/residents-parking-card/"]
    assert alternates == {
        "fr": "http://localhost/fr/procedures/residents-parking-card/",
        "nl": "http://localhost/nl/procedures/residents-parking-card/",
        "en": "http://localhost/en/procedures/residents-parking-card/",
        "x-default": "http://localhost/",
    }


@pytest.mark.parametrize("host", HOSTS)
def test_a_municipal_procedure_s_canonical_and_hreflang_stay_on_the_door(host: str) -> None:
    canonical, alternates = head_links(read(host, "/fr/procedures/population-extract/?x=1"))
    assert canonical == [f"http://{host}/fr/procedures/population-extract/"]
    assert alternates["nl"] == f"http://{host}/nl/procedures/population-extract/"
    assert alternates["x-default"] == f"http://{host}/"
    home_canonical, _alternates = head_links(read(host, "/en/"))
    assert home_canonical == [f"http://{host}/en/"]


@pytest.mark.parametrize("host", HOSTS)
def test_each_door_has_its_sitemap_with_every_page_in_three_languages(host: str) -> None:
    client = Client(HTTP_HOST=host)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own server's answer)
    urls = root.findall(f"{SITEMAP}url")
    locations = [url.find(f"{SITEMAP}loc").text or "" for url in urls]  # type: ignore[union-attr]
    # A municipality's door lists its own pages, not the regional procedures (the region's).
    listed = Procedure.objects.all()
    if host != "localhost":
        listed = listed.filter(owner_kind=Procedure.Owner.MUNICIPALITY)
    assert len(locations) == len(set(locations)) == 3 * (2 + listed.count())
    assert all(loc.startswith(f"http://{host}/") for loc in locations)
    for url in urls:
        links = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
        assert set(links) == {"fr", "nl", "en", "x-default"}
        assert url.find(f"{SITEMAP}loc").text in links.values()  # type: ignore[union-attr]
    # Every page listed answers on this door, and says the same alternates itself.
    for loc in locations[:9]:
        path = re.sub(rf"^http://{re.escape(host)}", "", loc)
        assert client.get(path).status_code == 200
    robots = client.get("/robots.txt").content.decode()
    assert f"Sitemap: http://{host}/sitemap.xml" in robots


def test_a_municipal_website_embeds_a_description_with_an_etag() -> None:
    client = Client(HTTP_HOST="ixelles.localhost")
    response = client.get("/en/procedures/residents-parking-card/embed.json")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["start_url"] == (
        "http://ixelles.localhost/en/procedures/residents-parking-card/apply/"
    )
    assert response["Access-Control-Allow-Origin"] == "*"
    etag = response["ETag"]
    again = client.get("/en/procedures/residents-parking-card/embed.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    french = client.get("/fr/procedures/residents-parking-card/embed.json", HTTP_IF_NONE_MATCH=etag)
    assert french.status_code == 200  # another language, another description
    fragment = client.get("/en/procedures/residents-parking-card/embed/")
    html = fragment.content.decode()
    assert "<html" not in html and "Start now" in html
    assert "http://ixelles.localhost/en/procedures/residents-parking-card/apply/" in html
    assert client.get("/en/procedures/nothing-like-this/embed.json").status_code == 404


@pytest.mark.parametrize(
    "wrong",
    [
        {"@type": "GovernmentService", "price": "3.00"},  # a property of offers, not services
        {"@type": "GovernmentServiceX", "name": "x"},  # no such type
        {"@type": "GovernmentService", "provider": {"@type": "Offer", "name": "x"}},  # range
    ],
)
def test_the_vocabulary_check_refuses_what_schema_org_does_not_allow(wrong: dict[str, Any]) -> None:
    [node] = jsonld.expand(
        {"@context": "https://schema.org", **wrong}, {"documentLoader": offline_loader}
    )
    with pytest.raises(AssertionError):
        check_node(node)


@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/fr/procedures/",
        "/nl/procedures/residents-parking-card/",
        "/en/search/?q=parking+kaart&x=%C3%A9",
        "/en/verify/",
    ],
)
def test_the_language_switch_and_alternates_are_djangos_translate_url(path: str) -> None:
    """Worked out once per request from the matched route (web.findable.page_in_languages),
    they are what Django's translate_url gives for the page, query string kept in the switch."""
    from django.urls import translate_url

    html = Client().get(path).content.decode()
    switch = dict(
        (code, href.replace("&amp;", "&"))
        for href, code in re.findall(r'<a href="([^"]*)" lang="(\w\w)" hreflang', html)
    )
    alternates = dict(re.findall(r'hreflang="(\w\w)" href="https?://[^/"]+([^"]*)"', html))
    current = path.split("/")[1]
    bare = path.split("?")[0]
    for code in ("fr", "nl", "en"):
        if code != current:
            assert switch[code] == translate_url(path, code)
        assert alternates[code] == translate_url(bare, code)


def test_on_a_page_that_does_not_exist_the_language_switch_gives_the_error_in_that_language() -> (
    None
):
    html = Client().get("/en/no-such-page/?from=link").content.decode()
    switch = dict(
        (code, href.replace("&amp;", "&"))
        for href, code in re.findall(r'<a href="([^"]*)" lang="(\w\w)" hreflang', html)
    )
    assert switch == {"fr": "/fr/no-such-page/?from=link", "nl": "/nl/no-such-page/?from=link"}
    french = Client().get(switch["fr"])
    assert french.status_code == 404
    assert 'lang="fr"' in french.content.decode()
