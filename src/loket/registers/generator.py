"""A deterministic generator of synthetic registers: residents, households, vehicles, enterprises.

Same seed, same population. Names come from pools drawn once with Faker in the locales of
Brussels' population; streets are real Brussels streets (streets-osm-2020.csv); national and
enterprise numbers are valid (python-stdnum). The generator streams in batches, so 1.2 million
residents fit in bounded memory.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from django.db import connection, models, transaction
from faker import Faker

from loket.core.identifiers import make_enterprise_number, make_national_number
from loket.core.reference import read_csv
from loket.registers.models import (
    Address,
    Enterprise,
    Establishment,
    Household,
    Mandatary,
    Resident,
    SocialStatus,
    Vehicle,
)

M = TypeVar("M", bound=models.Model)

# Share of the population by name origin: Belgian (FR and NL) names first, then the largest
# communities of Brussels. Faker locales give typical first and last names for each.
NAME_LOCALES = [
    ("fr_BE", 30),
    ("nl_BE", 14),
    ("fr_FR", 8),
    ("it_IT", 6),
    ("es_ES", 5),
    ("pt_PT", 5),
    ("pl_PL", 5),
    ("ro_RO", 5),
    ("tr_TR", 5),
]
# Common family names of Moroccan and Congolese origin in Brussels, which Faker has no locale for.
EXTRA_LAST_NAMES = [
    "El Amrani",
    "Benali",
    "El Idrissi",
    "Bouzid",
    "Amrani",
    "Ouali",
    "Azzouzi",
    "El Khattabi",
    "Haddad",
    "Tahiri",
    "Mbuyi",
    "Kabongo",
    "Ilunga",
    "Tshibangu",
    "Mukendi",
    "Kalonji",
    "Lukusa",
    "Nzuzi",
]
EXTRA_FEMALE_NAMES = [
    "Yasmine",
    "Amina",
    "Salma",
    "Nour",
    "Fatima",
    "Inès",
    "Grâce",
    "Merveille",
    "Christelle",
    "Divine",
]
EXTRA_MALE_NAMES = [
    "Mohamed",
    "Youssef",
    "Ayoub",
    "Adam",
    "Rayan",
    "Amine",
    "Ilyas",
    "Patrick",
    "Jonathan",
]
NATIONALITIES = [
    ("BE", 66),
    ("FR", 6),
    ("RO", 4),
    ("IT", 3),
    ("MA", 3),
    ("ES", 3),
    ("PL", 2),
    ("PT", 2),
    ("BG", 1),
    ("DE", 1),
    ("NL", 1),
    ("TR", 1),
    ("CD", 1),
]
MAKES = [
    ("Volkswagen", ["Golf", "Polo", "Passat", "ID.3"]),
    ("Renault", ["Clio", "Mégane", "Zoe"]),
    ("Peugeot", ["208", "308", "2008"]),
    ("Toyota", ["Yaris", "Corolla", "C-HR"]),
    ("BMW", ["Série 1", "X1"]),
    ("Citroën", ["C3", "C4"]),
    ("Škoda", ["Octavia", "Fabia"]),
    ("Tesla", ["Model 3", "Model Y"]),
    ("Dacia", ["Sandero", "Duster"]),
]
FUELS = [("petrol", 45), ("diesel", 30), ("hybrid", 15), ("electric", 10)]
LEGAL_FORMS = ["SRL/BV", "SA/NV", "SC/CV", "ASBL/VZW", "PP/NP"]
NACE = ["56101", "56301", "47111", "62010", "69201", "43320", "96021", "47710", "86210", "49320"]
BUSINESS_WORDS = [
    "Brasserie",
    "Boulangerie",
    "Atelier",
    "Studio",
    "Librairie",
    "Garage",
    "Épicerie",
    "Consult",
    "Bureau",
    "Café",
    "Fietsen",
    "Bakkerij",
]


@dataclass(frozen=True)
class Street:
    name_fr: str
    name_nl: str
    postcode: str
    nis_code: str


@dataclass(frozen=True)
class DemoPerson:
    """A named identity of the demo, placed first in the register so its data is stable."""

    key: str
    first_name: str
    last_name: str
    birth_date: date
    gender: str
    street_fr: str
    nis_code: str
    house_number: str
    plates: tuple[str, ...] = ()
    enterprise_name: str = ""
    # (first name, birth date, gender, role) of the people living with them
    household: tuple[tuple[str, date, str, str], ...] = ()


DEMO_PEOPLE = (
    DemoPerson(
        "resident",
        "Amina",
        "El Amrani",
        date(1988, 4, 12),
        "F",
        "Rue du Trône",
        "21009",
        "98",
        plates=("1-ABC-123", "2-XYZ-789"),
        household=(
            ("Youssef", date(1986, 9, 2), "M", "partner"),
            ("Lina", date(2016, 5, 19), "F", "child"),
        ),
    ),
    DemoPerson(
        "resident2",
        "Pieter",
        "Janssens",
        date(1975, 11, 3),
        "M",
        "Rue Josaphat",
        "21015",
        "41",
        plates=("1-JPN-451",),
    ),
    DemoPerson(
        "business",
        "Karim",
        "Benali",
        date(1981, 2, 27),
        "M",
        "Parvis Saint-Gilles",
        "21013",
        "12",
        enterprise_name="Brasserie du Parvis",
    ),
    DemoPerson("helper", "Marie", "Lambert", date(1969, 9, 8), "F", "Rue Royale", "21015", "200"),
    DemoPerson(
        "agent-ixelles",
        "Luc",
        "Peeters",
        date(1979, 6, 21),
        "M",
        "Chaussée de Haecht",
        "21006",
        "310",
    ),
    DemoPerson(
        "agent-parking", "Nadia", "Haddad", date(1990, 1, 15), "F", "Rue de la Loi", "21004", "16"
    ),
    DemoPerson(
        "dpo", "Jeroen", "De Smet", date(1972, 3, 30), "M", "Chaussée d'Alsemberg", "21013", "77"
    ),
    DemoPerson("designer", "Sofie", "Claes", date(1984, 10, 5), "F", "Rue Josaphat", "21015", "80"),
    DemoPerson(
        "agent-mobility", "Tom", "Verhoeven", date(1983, 2, 14), "M", "Rue Royale", "21004", "300"
    ),
)


def load_streets() -> dict[str, list[Street]]:
    """Real streets by municipality (NIS code), with a postcode that lies in that municipality."""
    default_postcode = {
        row["nis_code"]: row["main_postcode"] for row in read_csv("municipalities.csv")
    }
    streets: dict[str, list[Street]] = defaultdict(list)
    for row in read_csv("streets-osm-2020.csv"):
        if not row["street_name_nl"]:
            continue
        nis = row["nis_code"]
        streets[nis].append(
            Street(
                row["street_name_fr"],
                row["street_name_nl"],
                row["postcode"] or default_postcode[nis],
                nis,
            )
        )
    return dict(streets)


class NamePools:
    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.pools: list[tuple[list[str], list[str], list[str], int]] = []
        for locale, weight in NAME_LOCALES:
            fake = Faker(locale)
            fake.seed_instance(seed)
            self.pools.append(
                (
                    [fake.first_name_female() for _ in range(150)],
                    [fake.first_name_male() for _ in range(150)],
                    [fake.last_name() for _ in range(300)],
                    weight,
                )
            )
        self.pools.append((EXTRA_FEMALE_NAMES, EXTRA_MALE_NAMES, EXTRA_LAST_NAMES, 12))
        self.weights = [pool[3] for pool in self.pools]

    def pool(self) -> tuple[list[str], list[str], list[str], int]:
        return self.rng.choices(self.pools, weights=self.weights)[0]

    def last_name(self) -> str:
        return self.rng.choice(self.pool()[2])

    def first_name(self, gender: str, pool: tuple[list[str], list[str], list[str], int]) -> str:
        return self.rng.choice(pool[0] if gender == "F" else pool[1])


@dataclass
class _Company:
    """An enterprise before it is written: its seat, the enterprise, its unit, its manager."""

    address: Address
    enterprise: Enterprise
    unit_number: str
    manager: str

    def establishment(self) -> Establishment:
        return Establishment(
            enterprise=self.enterprise,
            unit_number=self.unit_number,
            name=self.enterprise.name,
            address_id=self.enterprise.address_id,
        )

    def mandatary(self) -> Mandatary:
        return Mandatary(
            enterprise=self.enterprise, national_number=self.manager, function="manager"
        )


class RegisterGenerator:
    """Builds the registers in batches; ``run()`` returns the number of residents created."""

    def __init__(self, residents: int, seed: int = 2026, batch_size: int = 5000) -> None:
        self.target = residents
        self.seed = seed
        self.batch_size = batch_size
        self.rng = random.Random(seed)
        self.names = NamePools(self.rng, seed)
        self.streets = load_streets()
        self.municipalities = sorted(self.streets)
        self.serials: dict[date, int] = defaultdict(int)
        self.plates: set[str] = set()
        self.enterprise_serial = 0
        self.today = date(2026, 1, 1)

    # -- identifiers -------------------------------------------------------------------------
    def national_number(self, birth: date, gender: str) -> str:
        self.serials[birth] += 1
        serial = self.serials[birth] * 2 - (1 if gender == "M" else 0)
        return make_national_number(birth, min(serial, 997))

    def plate(self) -> str:
        while True:
            letters = "".join(self.rng.choices("ABCDEFGHJKLMNPRSTVWXYZ", k=3))
            plate = f"{self.rng.randint(1, 2)}-{letters}-{self.rng.randint(0, 999):03d}"
            if plate not in self.plates:
                self.plates.add(plate)
                return plate

    # -- building blocks ---------------------------------------------------------------------
    def address(
        self, nis_code: str | None = None, street_fr: str = "", number: str = ""
    ) -> Address:
        streets = self.streets[nis_code or self.rng.choice(self.municipalities)]
        street = next((s for s in streets if s.name_fr == street_fr), None) or self.rng.choice(
            streets
        )
        box = self.rng.choice(["", "", "", "1", "2", "3", "A"]) if not number else ""
        return Address(
            street_fr=street.name_fr,
            street_nl=street.name_nl,
            house_number=number or str(self.rng.randint(1, 240)),
            box=box,
            postcode=street.postcode,
            nis_code=street.nis_code,
        )

    def birth_date(self, min_age: int, max_age: int) -> date:
        age_days = self.rng.randint(min_age * 365, max_age * 365)
        return self.today - timedelta(days=age_days)

    def vehicle(self, holder: Resident, plate: str = "") -> Vehicle:
        make, models = self.rng.choice(MAKES)
        first = self.birth_date(0, 15)
        fuel = self.rng.choices([f for f, _ in FUELS], weights=[w for _, w in FUELS])[0]
        if plate:
            self.plates.add(plate)
        return Vehicle(
            plate=plate or self.plate(),
            holder=holder,
            make=make,
            model=self.rng.choice(models),
            fuel=fuel,
            euro_norm=min(6, max(3, 6 - (self.today.year - first.year) // 4)),
            first_registration=first,
        )

    # -- households --------------------------------------------------------------------------
    def household(self) -> tuple[Address, list[Resident], list[Vehicle]]:
        """One household: its address, its members and their vehicles."""
        address = self.address()
        pool = self.names.pool()
        last = self.rng.choice(pool[2])
        size = self.rng.choices([1, 2, 3, 4, 5], weights=[45, 25, 13, 11, 6])[0]
        members: list[Resident] = []
        for index in range(size):
            gender = self.rng.choice("FM")
            adult = index < 2 or size <= 2
            birth = self.birth_date(19, 90) if adult else self.birth_date(0, 17)
            role = (
                "reference" if index == 0 else ("partner" if index == 1 and size > 1 else "child")
            )
            members.append(
                self.resident(
                    gender,
                    birth,
                    self.names.first_name(gender, pool),
                    last if role != "partner" else self.names.last_name(),
                    role,
                )
            )
        vehicles = [
            self.vehicle(members[0]) for _ in range(self.rng.choices([0, 1, 2], [45, 45, 10])[0])
        ]
        return address, members, vehicles

    def resident(self, gender: str, birth: date, first: str, last: str, role: str) -> Resident:
        nationality = self.rng.choices(
            [n for n, _ in NATIONALITIES], [w for _, w in NATIONALITIES]
        )[0]
        since = self.birth_date(0, min(30, max(0, (self.today - birth).days // 365)))
        history = []
        if self.rng.random() < 0.4:
            previous = self.address()
            history.append(
                {
                    "street_fr": previous.street_fr,
                    "street_nl": previous.street_nl,
                    "house_number": previous.house_number,
                    "postcode": previous.postcode,
                    "nis_code": previous.nis_code,
                    "until": since.isoformat(),
                }
            )
        return Resident(
            national_number=self.national_number(birth, gender),
            first_name=first,
            last_name=last,
            birth_date=birth,
            gender=gender,
            nationality=nationality,
            civil_status=self.rng.choice(["single", "married", "cohabiting", "divorced", "widowed"])
            if role != "child"
            else "single",
            language=self.rng.choices(["fr", "nl", "en"], [75, 15, 10])[0],
            household_role=role,
            resident_since=since,
            previous_addresses=history,
        )

    # -- writing -----------------------------------------------------------------------------
    def run(self, progress: Callable[[int], None] | None = None) -> int:
        """Generate; ``progress`` is told how many residents each written batch added."""
        created = self._write_demo_people()
        if progress:
            progress(created)
        batch: list[tuple[Address, list[Resident], list[Vehicle]]] = []
        pending = 0  # residents in ``batch``, counted as they come (summing each time is O(n²))
        while created < self.target:
            entry = self.household()
            batch.append(entry)
            created += len(entry[1])
            pending += len(entry[1])
            if pending >= self.batch_size or created >= self.target:
                self._write(batch)
                if progress:
                    progress(pending)
                batch, pending = [], 0
        if batch:
            self._write(batch)
            if progress:
                progress(pending)
        return created

    @transaction.atomic
    def _write(self, batch: list[tuple[Address, list[Resident], list[Vehicle]]]) -> None:
        addresses = _insert(Address, [address for address, _m, _v in batch])
        households = _insert(Household, [Household(address=a) for a in addresses])
        residents: list[Resident] = []
        for household, (address, members, _v) in zip(households, batch, strict=True):
            for member in members:
                member.household = household
                member.address = address
                residents.append(member)
        _insert(Resident, residents)
        vehicles = [v for _a, _m, vs in batch for v in vs]
        for vehicle in vehicles:
            vehicle.holder_id = vehicle.holder.pk if vehicle.holder else None
        _insert(Vehicle, vehicles)
        _insert(
            SocialStatus,
            [
                SocialStatus(
                    national_number=r.national_number,
                    increased_allowance=True,
                    since=r.resident_since,
                )
                for r in residents
                if self.rng.random() < 0.15
            ],
        )
        adults = [r for r in residents if r.household_role != "child"]
        # Drawn in the same order as one by one, written in four bulk inserts: same registers.
        companies = [self._company(owner) for owner in adults if self.rng.random() < 0.08]
        _insert(Address, [c.address for c in companies])
        for company in companies:
            company.enterprise.address_id = company.address.pk
        _insert(Enterprise, [c.enterprise for c in companies])
        _insert(Establishment, [c.establishment() for c in companies])
        _insert(Mandatary, [c.mandatary() for c in companies])

    def _company(self, owner: Resident, name: str = "") -> _Company:
        """An unsaved enterprise of ``owner`` with its address (the random draws happen here)."""
        self.enterprise_serial += 1
        address = Address(**_fields(self.address(owner.address.nis_code)))
        enterprise = Enterprise(
            number=make_enterprise_number(self.enterprise_serial),
            name=name or f"{self.rng.choice(BUSINESS_WORDS)} {owner.last_name}",
            legal_form=self.rng.choice(LEGAL_FORMS),
            start_date=self.birth_date(0, 25),
            address=address,
            nace_code=self.rng.choice(NACE),
        )
        return _Company(
            address, enterprise, f"2{self.enterprise_serial:09d}", owner.national_number
        )

    def _enterprise(self, owner: Resident, name: str = "") -> Enterprise:
        company = self._company(owner, name)
        company.address.save()
        company.enterprise.address = company.address
        company.enterprise.save()
        company.establishment().save()
        company.mandatary().save()
        return company.enterprise

    @transaction.atomic
    def _write_demo_people(self) -> int:
        for person in DEMO_PEOPLE:
            address = Address.objects.create(
                **_fields(self.address(person.nis_code, person.street_fr, person.house_number))
            )
            household = Household.objects.create(address=address)
            resident = self.resident(
                person.gender, person.birth_date, person.first_name, person.last_name, "reference"
            )
            resident.household, resident.address = household, address
            resident.save()
            for first_name, birth, gender, role in person.household:
                member = self.resident(gender, birth, first_name, person.last_name, role)
                member.household, member.address = household, address
                member.save()
            for plate in person.plates:
                self.vehicle(resident, plate).save()
            if person.enterprise_name:
                self._enterprise(resident, person.enterprise_name)
        return len(DEMO_PEOPLE) + sum(len(p.household) for p in DEMO_PEOPLE)


def _insert(model: type[M], rows: list[M]) -> list[M]:
    """Write ``rows`` and give them their ids, in order: COPY on PostgreSQL, else bulk_create.

    COPY is several times faster than the INSERTs bulk_create builds (the region's 1.2 million
    residents must generate in minutes). The ids are drawn from the table's own sequence first,
    in the order bulk_create would draw them, so the registers are the same either way.
    """
    if not rows:
        return rows
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(rows, batch_size=2000)
    table = model._meta.db_table
    fields: list[Any] = [f for f in model._meta.concrete_fields if not f.primary_key]
    prepared = [isinstance(f, models.JSONField) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
            for field in fields:
                if field.is_relation and getattr(row, field.attname) is None:
                    related = field.get_cached_value(row, None)
                    if related is not None:
                        setattr(row, field.attname, related.pk)
        columns = ", ".join(["id", *(str(f.column) for f in fields)])
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [row.pk]
                    + [
                        f.get_db_prep_save(getattr(row, f.attname), connection)
                        if json
                        else getattr(row, f.attname)
                        for f, json in zip(fields, prepared, strict=True)
                    ]
                )
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias
    return rows


def _fields(address: Address) -> dict[str, str]:
    return {
        f: getattr(address, f)
        for f in ("street_fr", "street_nl", "house_number", "box", "postcode", "nis_code")
    }


def demo_identifiers(key: str) -> tuple[str, str]:
    """The national number of a named demo identity, and the enterprise it manages if any."""
    person = next(p for p in DEMO_PEOPLE if p.key == key)
    resident = Resident.objects.get(
        first_name=person.first_name, last_name=person.last_name, birth_date=person.birth_date
    )
    mandate = Mandatary.objects.filter(national_number=resident.national_number).first()
    return resident.national_number, mandate.enterprise.number if mandate else ""


def registers_are_empty() -> bool:
    return not Resident.objects.exists()
