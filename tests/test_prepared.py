"""Reads compiled once per process (core.prepared): the same rows as the ORM, misuse refused when
first built, and the header's roles read that way for every kind of account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from loket.cases.models import Case
from loket.core.models import Membership, User
from loket.core.prepared import PreparedRead
from loket.mandates.actions import do_give_mandate
from loket.mandates.models import Mandate
from loket.web.context import _roles, _roles_query
from tests.conftest import demo_user

pytestmark = pytest.mark.django_db


def by_orm(user: User) -> tuple[bool, bool, bool, bool]:
    from loket.core.models import national_number_index

    index = national_number_index(user.national_number) if user.national_number else None
    row = _roles_query(user.pk, index).first()
    assert row is not None
    return row


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("resident", (False, False, False, False)),
        ("agent-parking", (True, False, False, False)),
        ("dpo", (False, False, True, False)),
        ("designer", (False, True, False, False)),
    ],
)
def test_the_roles_read_once_compiled_are_the_orms(
    key: str, expected: tuple[bool, bool, bool, bool]
) -> None:
    user = demo_user(key)
    assert _roles(user) == by_orm(user) == expected


def test_a_manager_is_an_agent_and_an_account_without_national_number_has_its_own_shape() -> None:
    user = User.objects.create(username="no-number", first_name="Ann", last_name="Peeters")
    assert not user.national_number
    assert _roles(user) == by_orm(user) == (False, False, False, False)
    Membership.objects.create(user=user, administration_id="21009", role=Membership.Role.MANAGER)
    assert _roles(user) == by_orm(user) == (True, False, False, False)


def test_a_helper_helps_through_a_linked_mandate_and_through_an_invitation_to_their_number() -> (
    None
):
    helper, resident = demo_user("helper"), demo_user("resident")
    assert _roles(helper)[3] is False
    today = timezone.localdate()
    do_give_mandate(resident, helper.national_number or "", [], today, today + timedelta(days=30))
    assert _roles(helper)[3] is True
    # The same mandate as an invitation not yet linked: found by the blind index of the number.
    Mandate.objects.update(helper=None)
    assert _roles(helper) == by_orm(helper)
    assert _roles(helper)[3] is True
    Mandate.objects.update(kind="counter")  # counter sessions are not "people I help"
    assert _roles(helper)[3] is False


def test_a_prepared_read_sends_the_real_values_each_time() -> None:
    names = PreparedRead(
        lambda pk, username: User.objects.filter(pk=pk, username=username).values_list("pk"),
        kinds=(int, str),
    )
    for key in ("resident", "dpo"):
        user = demo_user(key)
        assert names.rows(user.pk, user.username) == [(user.pk,)]
        assert names.rows(user.pk, "someone else") == []


def test_a_prepared_read_refuses_values_of_another_kind() -> None:
    read = PreparedRead(lambda pk: User.objects.filter(pk=pk).values_list("pk"), kinds=(int,))
    with pytest.raises(TypeError):
        read.rows("1")
    with pytest.raises(TypeError):
        read.rows(True)  # a bool is not an id
    with pytest.raises(TypeError):
        PreparedRead(lambda day: User.objects.filter(date_joined__gt=day), kinds=(float,))


def test_a_value_the_orm_changes_or_drops_is_refused_when_first_built() -> None:
    wrapped = PreparedRead(
        lambda text: User.objects.filter(username__contains=text).values_list("pk"), kinds=(str,)
    )
    with pytest.raises(ValueError, match="changed a value"):
        wrapped.rows("demo")
    unused = PreparedRead(lambda pk: User.objects.values_list("pk"), kinds=(int,))
    with pytest.raises(ValueError, match="do not reach the SQL"):
        unused.rows(1)


def test_the_session_read_once_compiled_keeps_djangos_rules() -> None:
    from datetime import timedelta

    from django.contrib.sessions.models import Session

    from loket.accounts.sessions import SessionStore

    store = SessionStore()
    store["answer"] = 42
    store.create()
    key = store.session_key
    assert key is not None
    assert SessionStore(key).load() == {"answer": 42}
    assert SessionStore("no-such-session-key").load() == {}
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None  # an expired key is forgotten, as Django does


def test_a_draft_read_once_compiled_is_the_orms_field_by_field() -> None:
    from loket.catalog.models import Procedure
    from loket.forms.actions import get_or_start_draft
    from loket.forms.definitions import get_definition
    from loket.forms.models import Draft

    resident = demo_user("resident")
    procedure = Procedure.objects.get(pk="residents-parking-card")
    definition = get_definition(procedure.pk)
    assert definition is not None
    started = get_or_start_draft(resident, procedure, definition)  # none yet: created
    when = (timezone.localdate() + timedelta(days=30)).isoformat()
    Draft.objects.filter(pk=started.pk).update(
        answers={"plate": "1-ABC-234", "when": when},
        facts={"population": {"a": 1}},
        consented=True, unanswered=["vehicles"],
    )  # fmt: skip
    again = get_or_start_draft(resident, procedure, definition)  # read with the compiled query
    stored = Draft.objects.get(pk=started.pk)
    for field in Draft._meta.concrete_fields:
        assert getattr(again, field.attname) == getattr(stored, field.attname), field.name
    assert not again._state.adding  # a saved row: saving it again updates it
    again.answers["plate"] = "2-DEF-567"
    again.save(update_fields=["answers"])
    assert Draft.objects.get(pk=started.pk).answers["plate"] == "2-DEF-567"


def test_the_logged_in_account_read_once_compiled_is_the_orms() -> None:
    from loket.accounts.backends import AccountBackend

    backend = AccountBackend()
    for key in ("resident", "agent-parking", "dpo"):
        stored = demo_user(key)
        read = backend.get_user(stored.pk)
        assert read is not None
        for field in User._meta.concrete_fields:
            assert getattr(read, field.attname) == getattr(stored, field.attname), field.name
    assert backend.get_user(10**9) is None
    User.objects.filter(username="demo-dpo").update(is_active=False)
    assert backend.get_user(demo_user("dpo").pk) is None  # a disabled account is no one


def test_a_session_made_before_the_account_backend_stays_valid() -> None:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.test import Client

    from loket.accounts.sessions import SessionStore

    resident = demo_user("resident")
    store = SessionStore()
    store[SESSION_KEY] = str(resident.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = resident.get_session_auth_hash()
    store.create()
    client = Client()
    client.cookies["sessionid"] = store.session_key or ""
    page = client.get("/en/my-cases/")
    assert page.status_code == 200
    assert resident.display_name in page.content.decode()


def test_a_uuid_reaches_the_sql_as_the_database_stores_it() -> None:
    """On PostgreSQL the UUID itself, on SQLite its hex digits: the same rows either way."""
    import uuid

    from loket.cases.selectors import case_sent_with, sent_at
    from tests.test_certificates import make_case

    case = make_case(demo_user("resident"), "residence-certificate")
    found = case_sent_with(case.applicant_id, case.idempotency_key)
    assert found is not None
    stored = Case.objects.get(pk=case.pk)
    for field in Case._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(stored, field.attname), field.name
    assert sent_at(case.applicant_id, case.idempotency_key) == stored.submitted_at
    assert case_sent_with(case.applicant_id, uuid.uuid4()) is None
    assert sent_at(case.applicant_id, uuid.uuid4()) is None
    assert case_sent_with(demo_user("dpo").pk, case.idempotency_key) is None  # not theirs
    with pytest.raises(TypeError):
        case_sent_with(case.applicant_id, str(case.idempotency_key))  # type: ignore[arg-type]
