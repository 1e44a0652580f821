"""``loket api-client create|revoke|list``: tokens for an administration's systems."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.api.clients import UnknownScope, do_create_api_client, do_revoke_api_client
from loket.api.models import ApiClient
from loket.core.models import Administration


class Command(BaseCommand):
    help = "Create, revoke or list API clients (bearer tokens) of administrations."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a client and print its token once.")
        create.add_argument("--administration", required=True)
        create.add_argument("--name", required=True)
        create.add_argument(
            "--scope", action="append", default=[], choices=ApiClient.SCOPES,
            help="Repeat for several scopes (default: cases:read).",
        )  # fmt: skip
        revoke = actions.add_parser("revoke", help="Revoke a client's token.")
        revoke.add_argument("client_id", type=int)
        actions.add_parser("list", help="List the clients.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            administration = Administration.objects.filter(id=options["administration"]).first()
            if administration is None:
                raise CommandError(f"no administration {options['administration']!r}")
            try:
                client, token = do_create_api_client(
                    administration, options["name"], options["scope"] or ["cases:read"]
                )
            except UnknownScope as problem:
                raise CommandError(f"unknown scope: {problem}") from None
            self.stdout.write(f"client {client.pk} ({client.name}, {' '.join(client.scopes)})")
            self.stdout.write("token (shown only now, store it safely):")
            self.stdout.write(token)
        elif action == "revoke":
            found = ApiClient.objects.filter(pk=options["client_id"]).first()
            if found is None:
                raise CommandError(f"no API client {options['client_id']}")
            do_revoke_api_client(found)
            self.stdout.write(f"client {found.pk} revoked")
        else:
            for client in ApiClient.objects.order_by("id"):
                state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
                used = f"{client.last_used_at:%Y-%m-%d %H:%M}" if client.last_used_at else "never"
                self.stdout.write(
                    f"{client.pk}\t{client.administration_id}\t{client.name}\t"
                    f"{' '.join(client.scopes)}\t{state}\tlast used {used}"
                )
