"""Findability for municipal web editors (#18): one primary host per door (canonical links, the
sitemap, redirects from the other hosts), embedded descriptions that only the door's websites
may frame, the page "For your website", and every fee in the structured data and the feed."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client, override_settings
from pyld import jsonld

from loket.catalog.models import Procedure
from loket.doors.actions import DoorRefused, DoorSettings, do_save_door
from loket.doors.demo import DEMO_DOORS
from loket.doors.hosts import primary_host_of
from loket.doors.models import Door, DoorHost
from tests.conftest import demo_user
from tests.test_findable import SITEMAP, check_node, offline_loader, read

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

PARKING = "/en/procedures/residents-parking-card/"


def frame_ancestors(response: object) -> str:
    policy = response["Content-Security-Policy"]  # type: ignore[index]
    [directive] = [part.strip() for part in policy.split(";") if "frame-ancestors" in part]
    return directive


# The primary host


def test_each_demo_door_has_one_primary_host_the_first_given() -> None:
    primaries = dict(DoorHost.objects.filter(primary=True).values_list("door_id", "host"))
    assert primaries == {
        "region": "localhost",
        "ixelles": "ixelles.localhost",
        "schaerbeek": "schaerbeek.localhost",
    }
    assert DoorHost.objects.filter(door_id="region", host="127.0.0.1", primary=False).exists()


@override_settings(DOOR_HOSTS_SERVED_IN_PLACE=("testserver",))  # 127.0.0.1 as in production
def test_another_host_of_a_door_redirects_to_its_primary_host_keeping_port_path_and_query() -> None:
    client = Client(HTTP_HOST="127.0.0.1:8000")
    moved = client.get(f"{PARKING}?back=x&q=1")
    assert moved.status_code == 301
    assert moved["Location"] == f"http://localhost:8000{PARKING}?back=x&q=1"
    assert client.get("/sitemap.xml")["Location"] == "http://localhost:8000/sitemap.xml"
    sent = client.post("/en/search/", {"q": "park"})
    assert sent.status_code == 308  # a form sent there keeps its method
    assert client.get("/healthz").status_code == 200  # machine endpoints answer on any host
    for host in ("localhost:8000", "ixelles.localhost:8000", "schaerbeek.localhost"):
        assert Client(HTTP_HOST=host).get(PARKING).status_code == 200


def test_a_door_s_new_first_host_becomes_its_primary_and_the_old_one_redirects() -> None:
    values = DEMO_DOORS["schaerbeek"]
    hosts = ["guichet.localhost", "schaerbeek.localhost"]
    do_save_door("schaerbeek", DoorSettings(**{**values.__dict__, "hosts": hosts}))
    assert primary_host_of(Door.objects.get(pk="schaerbeek")) == "guichet.localhost"
    moved = Client(HTTP_HOST="schaerbeek.localhost").get("/fr/")
    assert moved["Location"] == "http://guichet.localhost/fr/"
    page = read("guichet.localhost", "/fr/procedures/population-extract/")
    canonical = [link["href"] for link in page.links if link.get("rel") == "canonical"]
    assert canonical == ["http://guichet.localhost/fr/procedures/population-extract/"]


def test_canonical_links_and_sitemap_name_the_primary_host_from_a_host_served_in_place() -> None:
    # The test client's host opens the region's door without redirect (settings): what it
    # is given names the region's primary host, never the name the request came by.
    client = Client()
    page = client.get(PARKING).content.decode()
    assert f'<link rel="canonical" href="http://localhost{PARKING}">' in page
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 (our own answer)
    locations = [url.findtext(f"{SITEMAP}loc") or "" for url in root.findall(f"{SITEMAP}url")]
    assert locations and all(loc.startswith("http://localhost/") for loc in locations)
    assert "Sitemap: http://localhost/sitemap.xml" in client.get("/robots.txt").content.decode()


# Framing: /embed/ only, by the door's websites only


def test_only_the_embed_page_may_be_framed_and_only_by_the_door_s_websites() -> None:
    ixelles = Client(HTTP_HOST="ixelles.localhost")
    embed = ixelles.get(f"{PARKING}embed/")
    assert embed.status_code == 200
    assert frame_ancestors(embed) == (
        "frame-ancestors http://ixelles.localhost:8000 https://www.ixelles.be"
    )
    assert "X-Frame-Options" not in embed
    unchanged = ixelles.get(f"{PARKING}embed/", HTTP_IF_NONE_MATCH=embed["ETag"])
    assert unchanged.status_code == 304
    assert "www.ixelles.be" in frame_ancestors(unchanged)
    for path in (PARKING, f"{PARKING.removesuffix('/')}/embed.json", "/en/for-your-website/"):
        other = ixelles.get(path)
        assert other.status_code == 200, path
        assert other["X-Frame-Options"] == "DENY", path
        assert frame_ancestors(other) == "frame-ancestors 'none'", path


@pytest.mark.parametrize("host", ["localhost", "schaerbeek.localhost"])
def test_a_door_without_websites_keeps_its_embed_page_unframeable(host: str) -> None:
    embed = Client(HTTP_HOST=host).get(f"{PARKING}embed/")
    assert embed.status_code == 200
    assert embed["X-Frame-Options"] == "DENY"
    assert frame_ancestors(embed) == "frame-ancestors 'none'"


@pytest.mark.parametrize(
    "junk",
    [
        "*",
        "'self'",
        "javascript:alert(1)",
        "ftp://www.ixelles.be",
        "https://www.ixelles.be/news",
        "https://www.ixelles.be?x=1",
        "https://*.ixelles.be",
        "https://user@www.ixelles.be",
        "https://www.ixelles.be;script-src",
        "https://www.ixelles.be:99999",
        "https://-bad-.be",
    ],
)
def test_the_door_check_refuses_what_is_not_a_website_s_origin(junk: str) -> None:
    values = DoorSettings(**{**DEMO_DOORS["ixelles"].__dict__, "embed_origins": [junk]})
    with pytest.raises(DoorRefused) as refused:
        do_save_door("ixelles", values)
    assert "is not a website's address" in refused.value.problems["embed_origins"]
    assert Door.objects.get(pk="ixelles").embed_origins == DEMO_DOORS["ixelles"].embed_origins


def test_the_door_keeps_origins_in_one_form() -> None:
    given = ["WWW.Ixelles.be", "https://www.ixelles.be/", "HTTP://Ixelles.localhost:8000"]
    values = DoorSettings(**{**DEMO_DOORS["ixelles"].__dict__, "embed_origins": given})
    door = do_save_door("ixelles", values)
    assert door.embed_origins == ["https://www.ixelles.be", "http://ixelles.localhost:8000"]


def test_the_region_s_staff_set_a_door_s_websites_in_the_back_office() -> None:
    designer = Client(HTTP_HOST="localhost")
    designer.force_login(demo_user("designer"))
    form = designer.get("/en/back-office/doors/schaerbeek/").context["form"]
    data = {name: value or "" for name, value in form.initial.items()}
    refused = designer.post(
        "/en/back-office/doors/schaerbeek/", {**data, "embed_origins": "https://a.be/page"}
    )
    assert refused.status_code == 422
    assert "is not a website&#x27;s address" in refused.content.decode()
    saved = designer.post(
        "/en/back-office/doors/schaerbeek/",
        {**data, "embed_origins": "https://www.schaerbeek.be\nhttp://schaerbeek.localhost:8000"},
    )
    assert saved.status_code == 302
    embed = Client(HTTP_HOST="schaerbeek.localhost").get(f"{PARKING}embed/")
    assert frame_ancestors(embed) == (
        "frame-ancestors https://www.schaerbeek.be http://schaerbeek.localhost:8000"
    )


# The page "For your website"


def test_the_for_your_website_page_gives_each_procedure_s_code_and_addresses() -> None:
    ixelles = Client(HTTP_HOST="ixelles.localhost")
    html = ixelles.get("/en/for-your-website/?procedure=residents-parking-card").content.decode()
    assert "Show our procedures on your website" in html
    for procedure_id in Procedure.objects.values_list("id", flat=True):
        assert f"<code>{procedure_id}</code>" in html
        assert f"http://ixelles.localhost/en/procedures/{procedure_id}/embed/" in html
    assert (
        "&lt;iframe src=&quot;http://ixelles.localhost/en/procedures/residents-parking-card/embed/"
        in html
    )
    assert (
        "fetch(&quot;http://ixelles.localhost/en/procedures/residents-parking-card/embed.json"
        in html
    )
    assert "<code>https://www.ixelles.be</code>" in html  # the websites allowed to frame
    assert "If-None-Match" in html
    assert ixelles.get("/en/for-your-website/?procedure=no-such-thing").status_code == 404
    region = Client(HTTP_HOST="localhost").get("/en/for-your-website/").content.decode()
    assert "No website may show this counter" in region


def test_the_footer_and_each_procedure_page_lead_to_the_page_for_websites() -> None:
    client = Client(HTTP_HOST="localhost")
    assert 'href="/en/for-your-website/"' in client.get("/en/").content.decode()
    page = client.get(PARKING).content.decode()
    assert 'href="/en/for-your-website/?procedure=residents-parking-card#code"' in page


# Fees in the structured data, the feed and the fragment


def test_a_procedure_with_several_fees_publishes_one_offer_per_fee() -> None:
    page = read("localhost", PARKING)
    data = json.loads(page.scripts[0])
    [service] = jsonld.expand(data, {"documentLoader": offline_loader})
    assert check_node(service).count("Offer") == 3
    offers = {offer["price"]: offer for offer in data["offers"]}
    assert set(offers) == {"10.00", "50.00", "0.00"}
    assert offers["50.00"]["name"].startswith("Residents' parking card, the household's second")
    assert offers["0.00"]["name"].startswith("Exempt")
    for offer in offers.values():
        assert offer["priceCurrency"] == "EUR"
        assert offer["description"].startswith("Demo amount, not an official tariff.")
        assert offer["offeredBy"]["name"] == "parking.brussels"


def test_a_municipal_fee_is_offered_on_its_municipality_s_door_only() -> None:
    path = "/en/procedures/nationality-certificate/"
    ixelles = json.loads(read("ixelles.localhost", path).scripts[0])
    [offer] = ixelles["offers"]
    assert (offer["price"], offer["offeredBy"]["name"]) == ("5.00", "Ixelles / Elsene")
    assert "offers" not in json.loads(read("schaerbeek.localhost", path).scripts[0])


def test_the_feed_lists_every_fee_and_the_fragment_shows_the_range_and_the_time() -> None:
    client = Client(HTTP_HOST="ixelles.localhost")
    feed = json.loads(client.get(f"{PARKING}embed.json").content)
    assert [fee["amount"] for fee in feed["fees"]] == ["10.00", "50.00", "0.00"]
    assert all(fee["label"] and fee["demo"] is True for fee in feed["fees"])
    assert all(fee["currency"] == "EUR" for fee in feed["fees"])
    assert feed["fee_range"] == "€0.00 to €50.00"
    html = client.get(f"{PARKING}embed/").content.decode()
    assert "€0.00 to €50.00" in html
    days = Procedure.objects.get(pk="residents-parking-card").processing_days
    assert re.search(rf"How long it takes:</strong> {days} working days?", html)
    assert 'target="_top"' in html  # a link in a frame opens the counter, not a framed page
