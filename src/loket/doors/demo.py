"""The demo's doors: the region at 127.0.0.1 and localhost, Ixelles and Schaerbeek at
``ixelles.localhost`` and ``schaerbeek.localhost`` (browsers resolve ``*.localhost`` to the
loopback address). Seeded by ``loket demo`` and by the tests; a real deployment's staff
configure their doors in the back-office instead."""

from __future__ import annotations

from django.db import transaction

from loket.doors.actions import DoorSettings, do_save_door
from loket.doors.models import Door

# The first host is the door's primary one: localhost, beside ixelles.localhost and
# schaerbeek.localhost (and the browser tests' live server); 127.0.0.1 redirects to it.
REGION_HOSTS = ["localhost", "127.0.0.1"]

DEMO_DOORS: dict[str, DoorSettings] = {
    "region": DoorSettings(
        names={"fr": "Loket Bruxelles", "nl": "Loket Brussel", "en": "Loket Brussels"},
        hosts=REGION_HOSTS,
        email="info@loket.brussels",
        phone="+32 2 000 00 00",
        address="Rue du Progrès 80, 1035 Bruxelles / Vooruitgangstraat 80, 1035 Brussel",
        opening_hours={
            "fr": "Du lundi au vendredi, de 9 h à 16 h",
            "nl": "Maandag tot vrijdag, van 9 tot 16 uur",
            "en": "Monday to Friday, 9 am to 4 pm",
        },
        help_points="Espace public numérique Bruxelles-Ville · Boulevard Anspach 6, 1000 Bruxelles",
    ),
    "ixelles": DoorSettings(
        names={"fr": "e-Guichet Ixelles", "nl": "e-Loket Elsene", "en": "e-Counter Ixelles"},
        hosts=["ixelles.localhost"],
        administration_id="21009",
        logo="doors/ixelles.svg",
        accent="#6b2c91",
        email="guichet@ixelles.example",
        phone="+32 2 515 61 11",
        address="Chaussée d'Ixelles 168, 1050 Ixelles / Elsensesteenweg 168, 1050 Elsene",
        opening_hours={
            "fr": "Du lundi au vendredi, de 8 h 30 à 12 h 30",
            "nl": "Maandag tot vrijdag, van 8.30 tot 12.30 uur",
            "en": "Monday to Friday, 8.30 am to 12.30 pm",
        },
        help_points="Maison communale d'Ixelles · Chaussée d'Ixelles 168, 1050 Ixelles",
        embed_origins=["http://ixelles.localhost:8000", "https://www.ixelles.be"],
    ),
    "schaerbeek": DoorSettings(
        names={
            "fr": "Guichet Schaerbeek",
            "nl": "Loket Schaarbeek",
            "en": "Schaerbeek counter",
        },
        hosts=["schaerbeek.localhost"],
        administration_id="21015",
        logo="doors/schaerbeek.svg",
        accent="#1d5e3a",
        email="guichet@schaerbeek.example",
        phone="+32 2 244 75 11",
        address="Place Colignon, 1030 Schaerbeek / Colignonplein, 1030 Schaarbeek",
        opening_hours={
            "fr": "Du lundi au vendredi, de 8 h à 13 h",
            "nl": "Maandag tot vrijdag, van 8 tot 13 uur",
            "en": "Monday to Friday, 8 am to 1 pm",
        },
        help_points="EPN Schaerbeek · Rue de la Poste 190, 1030 Schaerbeek",
    ),
}


@transaction.atomic
def seed_demo_doors(extra_region_hosts: tuple[str, ...] = ()) -> list[Door]:
    """Create or refresh the three demo doors; ``extra_region_hosts`` (the tests' ``testserver``)
    also open the region's door, after its primary host."""
    doors = []
    for door_id, values in DEMO_DOORS.items():
        hosts = [*values.hosts, *(extra_region_hosts if door_id == "region" else ())]
        copy = DoorSettings(**{**values.__dict__, "hosts": hosts})
        doors.append(do_save_door(door_id, copy))
    return doors
