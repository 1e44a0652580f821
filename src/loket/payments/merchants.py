"""A merchant account per administration: where its money goes (the bank account of its
transfers) and its contracts with the card providers (Worldline PSPID, Mollie profile).

Each part falls back to the platform's own (``LOKET_PAYMENT_ACCOUNT``, ``LOKET_WORLDLINE_*``,
``LOKET_MOLLIE_*``) when the administration has none. The providers' secrets are stored
encrypted (``core.fields.EncryptedField``, the keys of ``LOKET_ENCRYPTION_KEYS``) and never shown
back: a form left empty keeps the one stored. The region's staff manage the accounts: the heads
of service of the platform's operator (:data:`PLATFORM_OPERATOR`)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from stdnum import iban as iban_number

from loket.config.payments import MollieSettings, WorldlineSettings
from loket.core.models import Administration, Membership, User
from loket.payments.models import MerchantAccount

# The administration that runs the platform for the region: its heads of service manage the
# merchant accounts of every administration.
PLATFORM_OPERATOR = "paradigm"
BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
SECRETS = ("worldline_api_secret", "worldline_webhook_secret", "mollie_api_key")
PLAIN = (
    "iban", "bic", "beneficiary", "worldline_merchant_id", "worldline_api_key_id",
    "worldline_webhook_key_id", "mollie_profile_id",
)  # fmt: skip


class MerchantAccountRefused(Exception):
    """What was typed cannot be saved; ``errors`` says why, by field, in the active language."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def compact_iban(text: str) -> str:
    return re.sub(r"\s", "", text or "").upper()


# The demo's own accounts of the administrations that collect fees (valid checksums, no bank
# holds them), so that their transfer pages show their own IBAN and their agents can import
# their statements (docs/payments.md, "Trying the reconciliation in the demo").
DEMO_ACCOUNTS = {
    "parking-brussels": "BE32091000123402",
    "21009": "BE78091002100986",
}
DEMO_BIC = "GKCCBEBB"


def create_demo_merchant_accounts() -> int:
    """``loket seed`` outside production: a demo account for each administration of
    :data:`DEMO_ACCOUNTS` that collects fees and has none yet (one set by hand is kept)."""
    from loket.payments.fees import charged_administrations

    made = 0
    for administration in Administration.objects.filter(
        pk__in=set(DEMO_ACCOUNTS) & charged_administrations()
    ):
        _account, created = MerchantAccount.objects.get_or_create(
            administration=administration,
            defaults={"iban": DEMO_ACCOUNTS[administration.pk], "bic": DEMO_BIC,
                      "beneficiary": administration.name, "demo": True},
        )  # fmt: skip
        made += created
    return made


def importable_accounts(administration_ids: list[str]) -> list[MerchantAccount]:
    """The accounts whose statements civil servants of these administrations import: their
    own (the platform's account is the region's staff's)."""
    return list(
        MerchantAccount.objects.filter(administration_id__in=administration_ids)
        .exclude(iban="")
        .select_related("administration")
        .order_by("administration_id")
    )


def may_manage(user: User) -> bool:
    """Whether ``user`` is of the region's staff who manage merchant accounts."""
    return user.memberships.filter(
        administration_id=PLATFORM_OPERATOR, role=Membership.Role.MANAGER
    ).exists()


def account_of(administration_id: str | None) -> MerchantAccount | None:
    if not administration_id:
        return None
    return MerchantAccount.objects.filter(administration_id=administration_id).first()


def transfer_account(administration: Administration | None) -> dict[str, str]:
    """The account a transfer for ``administration`` is paid to (``iban``, ``bic``, ``name``):
    its own, or the platform's. A beneficiary left empty is the administration's name."""
    own = account_of(administration.pk if administration is not None else None)
    if own is not None and own.iban:
        to = {"iban": own.iban, "bic": own.bic, "name": own.beneficiary}
    else:
        to = dict(settings.CONFIG.payment_account)
    if not to["name"] and administration is not None:
        to["name"] = administration.name
    return to


def paid_into(account: str) -> Q:
    """The payments whose transfers are paid into ``account`` (an IBAN): those of the
    administrations whose own account it is, for the platform's account those of the
    administrations without one, and those started when ``account`` was shown (an
    administration that changed account since). A line on one administration's account never
    settles another's payment."""
    account = compact_iban(account)
    own = dict(MerchantAccount.objects.exclude(iban="").values_list("administration_id", "iban"))
    scope = Q(administration_id__in=[admin for admin, number in own.items() if number == account])
    if account == compact_iban(settings.CONFIG.payment_account["iban"]):
        scope |= ~Q(administration_id__in=list(own))
    # A transfer started before its administration changed account is still paid where shown.
    return scope | Q(payee_iban=account)


def administrations_paid_into(account: str) -> list[str]:
    """The administrations whose transfers go to ``account`` (its own holders, or, for the
    platform's account, every administration without one)."""
    account = compact_iban(account)
    own = dict(MerchantAccount.objects.exclude(iban="").values_list("administration_id", "iban"))
    holders = [admin for admin, number in own.items() if number == account]
    if account == compact_iban(settings.CONFIG.payment_account["iban"]):
        others = Administration.objects.exclude(pk__in=list(own))
        holders += list(others.values_list("pk", flat=True))
    return holders


def mollie_settings(administration_id: str | None) -> MollieSettings:
    """The platform's Mollie settings, with the administration's profile key if it has one."""
    base = settings.CONFIG.payment_settings.mollie
    own = account_of(administration_id)
    if own is None or not own.mollie_api_key:
        return base
    return dataclasses.replace(base, api_key=own.mollie_api_key)


def worldline_settings(administration_id: str | None) -> WorldlineSettings:
    """The platform's Worldline settings, or the administration's own merchant (PSPID) with its
    keys when it has one."""
    base = settings.CONFIG.payment_settings.worldline
    own = account_of(administration_id)
    if own is None or not own.worldline_merchant_id:
        return base
    return dataclasses.replace(
        base, merchant_id=own.worldline_merchant_id, api_key_id=own.worldline_api_key_id,
        api_secret=own.worldline_api_secret, webhook_key_id=own.worldline_webhook_key_id,
        webhook_secret=own.worldline_webhook_secret,
    )  # fmt: skip


def worldline_merchants() -> list[WorldlineSettings]:
    """The Worldline merchants Loket takes webhooks for: the platform's, then the
    administrations' own."""
    merchants = [settings.CONFIG.payment_settings.worldline]
    for own in MerchantAccount.objects.exclude(worldline_merchant_id=""):
        merchants.append(worldline_settings(own.administration_id))
    return merchants


@dataclass(frozen=True)
class Typed:
    """What the region's staff typed: the plain fields, and the secrets typed anew (an empty
    secret keeps the one stored)."""

    plain: dict[str, str]
    secrets: dict[str, str]


def check_merchant_account(typed: Typed, stored: MerchantAccount | None) -> dict[str, str]:
    """The cleaned plain fields, or :class:`MerchantAccountRefused` naming each field's problem."""
    plain = {name: typed.plain.get(name, "").strip() for name in PLAIN}
    plain["iban"], plain["bic"] = compact_iban(plain["iban"]), plain["bic"].replace(" ", "").upper()
    errors: dict[str, str] = {}
    if plain["iban"] and not iban_number.is_valid(plain["iban"]):
        errors["iban"] = _("Enter a valid IBAN, for example BE71 0961 2345 6769.")
    if plain["iban"] and not BIC.match(plain["bic"]):
        errors["bic"] = _("Enter the BIC of the bank, for example GKCCBEBB.")
    if plain["iban"] and not plain["beneficiary"]:
        errors["beneficiary"] = _("Enter the account holder's name as the bank knows it.")
    if not plain["iban"] and (plain["bic"] or plain["beneficiary"]):
        errors["iban"] = _("Enter the IBAN, or leave the bank account empty.")

    def has(secret: str) -> bool:
        return bool(typed.secrets.get(secret) or (stored and getattr(stored, secret)))

    if plain["worldline_merchant_id"]:
        for name in ("worldline_api_key_id", "worldline_webhook_key_id"):
            if not plain[name]:
                errors[name] = _("Required with a Worldline merchant (PSPID).")
        for secret in ("worldline_api_secret", "worldline_webhook_secret"):
            if not has(secret):
                errors[secret] = _("Required with a Worldline merchant (PSPID).")
    key = typed.secrets.get("mollie_api_key", "")
    if key and not key.startswith(("live_", "test_")):
        errors["mollie_api_key"] = _("A Mollie API key starts with live_ or test_.")
    elif key and settings.LOKET_ENV == "production" and not key.startswith("live_"):
        errors["mollie_api_key"] = _("Enter the live key (live_…): a test key moves no money.")
    if plain["mollie_profile_id"] and not has("mollie_api_key"):
        errors["mollie_api_key"] = _("Enter the API key of this Mollie profile.")
    if errors:
        raise MerchantAccountRefused(errors)
    return plain


@transaction.atomic
def do_save_merchant_account(
    administration: Administration, by: User, typed: Typed
) -> MerchantAccount:
    """Save the administration's merchant account (the caller checked ``may_manage``)."""
    stored = (
        MerchantAccount.objects.select_for_update().filter(administration=administration).first()
    )
    plain = check_merchant_account(typed, stored)
    account = stored or MerchantAccount(administration=administration)
    for name, value in plain.items():
        setattr(account, name, value)
    for name in SECRETS:
        if typed.secrets.get(name):
            setattr(account, name, typed.secrets[name].strip())
    if not plain["worldline_merchant_id"]:
        account.worldline_api_secret = account.worldline_webhook_secret = ""
    if not plain["mollie_profile_id"] and not typed.secrets.get("mollie_api_key"):
        account.mollie_api_key = ""
    account.updated_by = by
    account.save()
    return account
