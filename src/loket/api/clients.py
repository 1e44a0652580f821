"""Creating and revoking API clients. The token is shown once and only its hash is stored."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from loket.api.http import token_digest
from loket.api.models import ApiClient
from loket.core.models import Administration, Membership, User


class UnknownScope(ValueError):
    pass


@transaction.atomic
def do_create_api_client(
    administration: Administration, name: str, scopes: Sequence[str]
) -> tuple[ApiClient, str]:
    """A client and its token. The client acts through a service user who is an agent of the
    administration, so the case actions, history and notifications work for it unchanged."""
    unknown = sorted(set(scopes) - set(ApiClient.SCOPES))
    if unknown:
        raise UnknownScope(", ".join(unknown))
    user = User(username=f"api-{uuid.uuid4().hex[:16]}", first_name=name[:150])
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, administration=administration, role=Membership.Role.AGENT)
    token = f"lkt_{secrets.token_urlsafe(32)}"
    client = ApiClient.objects.create(
        administration=administration, name=name, scopes=sorted(set(scopes)),
        token_sha256=token_digest(token), user=user,
    )  # fmt: skip
    return client, token


@transaction.atomic
def do_revoke_api_client(client: ApiClient) -> None:
    """Refuse the token from now on; its service user keeps its name in past histories but loses
    its membership, so it can no longer see any case."""
    ApiClient.objects.filter(pk=client.pk).update(revoked_at=timezone.now())
    Membership.objects.filter(user_id=client.user_id).delete()
