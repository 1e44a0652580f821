"""The keys that encrypt identifiers at rest: read from the environment, refused when unsafe."""

from __future__ import annotations

import base64
import json

import pytest

from loket.config import (
    DEMO_BLIND_INDEX_KEY,
    DEMO_ENCRYPTION_KEY,
    DEMO_ENCRYPTION_KEY_ID,
    ConfigurationError,
    load,
)
from tests.test_config import SAFE

KEY_2026 = base64.b64encode(b"k" * 32).decode()
KEY_2027 = base64.b64encode(b"n" * 32).decode()
ENCRYPTION = {
    "LOKET_ENCRYPTION_KEYS": json.dumps({"2026": KEY_2026, "2027": KEY_2027}),
    "LOKET_ENCRYPTION_KEY_ID": "2027",
    "LOKET_BLIND_INDEX_KEY": "b" * 50,
}
PRODUCTION = {**SAFE, **ENCRYPTION}


def test_a_production_keyring_is_accepted_and_decoded() -> None:
    config = load(PRODUCTION)
    assert config.encryption_keys == {"2026": b"k" * 32, "2027": b"n" * 32}
    assert config.encryption_key_id == "2027"
    assert config.blind_index_key == "b" * 50


def test_demo_and_test_runs_get_the_demo_keys() -> None:
    config = load({"LOKET_ENV": "test"})
    assert config.encryption_keys == {DEMO_ENCRYPTION_KEY_ID: base64.b64decode(DEMO_ENCRYPTION_KEY)}
    assert config.encryption_key_id == DEMO_ENCRYPTION_KEY_ID
    assert config.blind_index_key == DEMO_BLIND_INDEX_KEY


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"LOKET_ENCRYPTION_KEYS": ""}, "LOKET_ENCRYPTION_KEYS is missing or holds the demo key"),
        (
            {"LOKET_ENCRYPTION_KEYS": json.dumps({"old": DEMO_ENCRYPTION_KEY, "2027": KEY_2027})},
            "LOKET_ENCRYPTION_KEYS is missing or holds the demo key",
        ),
        ({"LOKET_ENCRYPTION_KEY_ID": ""}, "LOKET_ENCRYPTION_KEY_ID is missing"),
        ({"LOKET_BLIND_INDEX_KEY": ""}, "LOKET_BLIND_INDEX_KEY is missing or is the demo key"),
        ({"LOKET_BLIND_INDEX_KEY": "short"}, "LOKET_BLIND_INDEX_KEY is shorter than 32"),
        ({"LOKET_BLIND_INDEX_KEY": SAFE["LOKET_PSEUDONYM_KEY"]}, "must differ from LOKET_PSEUDO"),
        ({"LOKET_BLIND_INDEX_KEY": SAFE["LOKET_SECRET_KEY"]}, "must differ from LOKET_PSEUDO"),
    ],
)
def test_production_refuses_unsafe_encryption_keys_and_names_the_variable(
    change: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        load({**PRODUCTION, **change})


@pytest.mark.parametrize(
    ("keys", "named"),
    [
        ('{"2027": "not base64!"}', r"LOKET_ENCRYPTION_KEYS\['2027'\] is not base64"),
        (json.dumps({"2027": base64.b64encode(b"short").decode()}), "must decode to 32 bytes"),
        (json.dumps({"a:b": KEY_2027}), "key id 'a:b'"),
        ("[1, 2]", "LOKET_ENCRYPTION_KEYS must be a JSON object"),
    ],
)
def test_a_malformed_keyring_is_refused_in_every_environment(keys: str, named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        load({"LOKET_ENV": "test", "LOKET_ENCRYPTION_KEYS": keys})


def test_an_active_key_id_outside_the_ring_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="LOKET_ENCRYPTION_KEY_ID='2028' names no key"):
        load({**PRODUCTION, "LOKET_ENCRYPTION_KEY_ID": "2028"})


def test_outside_production_an_unknown_active_key_id_is_refused_at_once() -> None:
    with pytest.raises(ConfigurationError, match="LOKET_ENCRYPTION_KEY_ID='x' names no key"):
        load({"LOKET_ENV": "test", "LOKET_ENCRYPTION_KEY_ID": "x"})


def test_the_keys_never_show_in_the_configuration_s_repr() -> None:
    shown = repr(load(PRODUCTION))
    assert "b" * 50 not in shown and repr(b"n" * 32) not in shown and "2027" in shown
