"""``loket seed``: reference data, the catalogue, and (outside production) the demo registers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.catalog.reference import load_catalogue
from loket.core.reference import load_administrations
from loket.geo.importer import import_shipped_samples
from loket.observe.progress import Progress
from loket.registers.generator import RegisterGenerator, registers_are_empty
from loket.web.demo import create_demo_history, create_demo_users


class Command(BaseCommand):
    help = "Load reference data and the catalogue (idempotent); generate the demo registers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--residents",
            type=int,
            default=3000,
            help="size of the synthetic population register (default 3000; Brussels: 1200000)",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed of the generator")
        parser.add_argument(
            "--reference-only",
            action="store_true",
            help="load municipalities, bodies and the catalogue, but no synthetic registers",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        administrations = load_administrations()
        procedures = load_catalogue()
        self.stdout.write(f"{administrations} administrations, {procedures} procedures loaded")
        addresses = import_shipped_samples()
        self.stdout.write(
            "address register: " + ", ".join(f"{name} {count}" for name, count in addresses.items())
        )
        if options["reference_only"]:
            return
        if settings.LOKET_ENV == "production":
            raise CommandError("synthetic registers are never generated in production")
        call_command("certificates", "demo-ca", stdout=self.stdout)  # the DEMO seal authority
        target = options["residents"]
        progress = Progress("synthetic residents", target, self.stdout)
        if registers_are_empty():
            # Batches of a twentieth (500 to 5,000): a small register still shows its progress.
            batch = min(5000, max(500, target // 20))
            generator = RegisterGenerator(target, seed=options["seed"], batch_size=batch)
            generator.run(progress=progress.advance)
        else:
            progress.advance(target, "skipped")  # the registers present are kept
        progress.finish()
        users = create_demo_users()
        self.stdout.write(f"{len(users)} demo identities ready")
        from loket.doors.actions import DoorRefused
        from loket.doors.demo import seed_demo_doors

        try:
            for door in seed_demo_doors():
                hosts = ", ".join(door.hosts.values_list("host", flat=True))
                self.stdout.write(f"door {door.id}: {hosts}")
        except DoorRefused as refused:  # e.g. LOKET_ALLOWED_HOSTS without .localhost
            self.stdout.write(f"demo doors not made: {refused.problems}")
        cases = create_demo_history()
        if cases:
            self.stdout.write(f"{cases} past applications of the demo residents made")
        from loket.performance.demo import seed_demo_journeys

        journeys = seed_demo_journeys()
        if journeys:
            self.stdout.write(f"{journeys} demo journeys counted, with answers to 'Was it easy?'")
        from loket.payments.merchants import create_demo_merchant_accounts

        accounts = create_demo_merchant_accounts()
        if accounts:
            self.stdout.write(f"{accounts} demo bank accounts of administrations (marked as demo)")
        from loket.appointments.seed import seed_demo_help_points

        self.stdout.write(f"{seed_demo_help_points().saved} demo places of help (marked as demo)")
