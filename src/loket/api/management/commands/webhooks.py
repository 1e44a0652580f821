"""``loket webhooks list|add|remove``: an administration's webhook endpoints, for operators
(the administration's own systems use POST/GET/DELETE /api/v1/webhooks/)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.api.actions import (
    WebhookRefused,
    do_register_webhook_endpoint,
    do_remove_webhook_endpoint,
)
from loket.api.models import WebhookEndpoint
from loket.core.models import Administration


class Command(BaseCommand):
    help = "List, add or remove webhook endpoints of administrations."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="List the endpoints.")
        listing.add_argument("--administration", default="")
        add = actions.add_parser("add", help="Add an endpoint and print its secret once.")
        add.add_argument("--administration", required=True)
        add.add_argument("--url", required=True)
        add.add_argument(
            "--event", action="append", default=[], choices=WebhookEndpoint.EVENTS,
            help="Repeat for several events (default: all).",
        )  # fmt: skip
        remove = actions.add_parser("remove", help="Remove an endpoint.")
        remove.add_argument("endpoint_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            administration = Administration.objects.filter(id=options["administration"]).first()
            if administration is None:
                raise CommandError(f"no administration {options['administration']!r}")
            try:
                endpoint, secret = do_register_webhook_endpoint(
                    administration.id, options["url"], options["event"] or WebhookEndpoint.EVENTS
                )
            except WebhookRefused as refused:
                reason = f" ({refused.reason})" if refused.reason else ""
                raise CommandError(f"{refused.message}{reason}") from None
            self.stdout.write(f"endpoint {endpoint.pk} ({' '.join(endpoint.events)})")
            self.stdout.write("secret (shown only now, give it to the receiver):")
            self.stdout.write(secret)
        elif action == "remove":
            found = WebhookEndpoint.objects.filter(pk=options["endpoint_id"]).first()
            if found is None:
                raise CommandError(f"no endpoint {options['endpoint_id']}")
            do_remove_webhook_endpoint(found)
            self.stdout.write(f"endpoint {options['endpoint_id']} removed")
        else:
            endpoints = WebhookEndpoint.objects.order_by("id")
            if options["administration"]:
                endpoints = endpoints.filter(administration_id=options["administration"])
            for endpoint in endpoints:
                self.stdout.write(
                    f"{endpoint.pk}\t{endpoint.administration_id}\t{endpoint.url}\t"
                    f"{' '.join(endpoint.events)}\t{'active' if endpoint.active else 'inactive'}"
                )
