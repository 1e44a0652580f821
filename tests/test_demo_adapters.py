"""A demo adapter is one that says ``demo = True``, not one whose module path looks like the demo.

Production refuses a demo adapter wherever it lives (a subclass of a demo register in the
deployment's own package is still synthetic data) and accepts a real adapter whatever its module
is called (``loket.sources.demographics`` is not the demo).
"""

from __future__ import annotations

import json
import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from loket.sources import demo, http
from loket.sources.base import is_demo_adapter
from loket.sources.checks import check_source_adapters, refuse_demo_adapters_in_production
from loket.sources.registry import DEFAULT_SOURCES, demo_adapter_problems, get_source
from tests.test_check_deploy import check_deploy, safe_environment

REAL = {
    "population": "loket.sources.http.HttpPopulationRegister",
    "vehicle": "loket.sources.http.HttpVehicleRegister",
    "enterprise": "loket.sources.http.HttpEnterpriseRegister",
    "social": "loket.sources.http.HttpSocialSecurityRegister",
}


class MunicipalPopulation(demo.PopulationRegister):
    """A deployment's own subclass of the demo register: still synthetic data."""


class SyntheticSocial:
    """A demo adapter written from scratch in another module."""

    id = "social"
    subject_kind = "person"
    attributes = frozenset({"increased_allowance"})
    demo: ClassVar[bool] = True


@pytest.fixture
def demographics() -> Iterator[str]:
    """A real adapter in a module named like the demo's: ``loket.sources.demographics``."""
    module = types.ModuleType("loket.sources.demographics")

    class Population(http.HttpPopulationRegister):
        pass

    Population.__module__ = module.__name__
    module.Population = Population  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    try:
        yield f"{module.__name__}.Population"
    finally:
        del sys.modules[module.__name__]


def test_every_shipped_adapter_says_what_it_is() -> None:
    assert all(
        is_demo_adapter(getattr(demo, path.rsplit(".", 1)[1])) for path in DEFAULT_SOURCES.values()
    )
    assert not any(is_demo_adapter(getattr(http, path.rsplit(".", 1)[1])) for path in REAL.values())
    assert not is_demo_adapter(object())  # an adapter that does not say is a real one


def test_real_adapters_everywhere_raise_no_problem(demographics: str) -> None:
    with override_settings(LOKET_SOURCES={**REAL, "population": demographics}):
        assert demo_adapter_problems() == []
        assert check_source_adapters() == []


@pytest.mark.parametrize(
    ("source", "path"),
    [
        ("population", "tests.test_demo_adapters.MunicipalPopulation"),
        ("social", "tests.test_demo_adapters.SyntheticSocial"),
        ("vehicle", DEFAULT_SOURCES["vehicle"]),
    ],
)
def test_a_demo_adapter_is_refused_whatever_its_module(source: str, path: str) -> None:
    with override_settings(LOKET_SOURCES={**REAL, source: path}):
        assert demo_adapter_problems() == [
            f"LOKET_SOURCES must name a real adapter for {source!r}, not the demo "
            f"({path} says demo = True)"
        ]
        [error] = check_source_adapters()
        assert error.id == "loket.E004"


def test_a_source_left_out_keeps_its_demo_adapter_and_is_refused() -> None:
    with override_settings(LOKET_SOURCES={k: v for k, v in REAL.items() if k != "enterprise"}):
        [problem] = demo_adapter_problems()
    assert "real adapter for 'enterprise'" in problem


def test_an_adapter_that_cannot_be_imported_is_named() -> None:
    with override_settings(LOKET_SOURCES={**REAL, "vehicle": "loket.sources.nowhere.Vehicle"}):
        [problem] = demo_adapter_problems()
    assert problem.startswith("LOKET_SOURCES['vehicle'] = 'loket.sources.nowhere.Vehicle' cannot")


def test_production_start_up_refuses_a_demo_adapter_and_other_environments_do_not() -> None:
    from loket.config import ConfigurationError

    with override_settings(
        LOKET_SOURCES={**REAL, "social": "tests.test_demo_adapters.SyntheticSocial"}
    ):
        refuse_demo_adapters_in_production()  # LOKET_ENV=test: the demo is fine here
        with (
            override_settings(LOKET_ENV="production"),
            pytest.raises(ConfigurationError, match="real adapter for 'social'"),
        ):
            refuse_demo_adapters_in_production()


def test_get_source_refuses_a_demo_adapter_in_production() -> None:
    get_source.cache_clear()
    try:
        with (
            override_settings(LOKET_ENV="production", LOKET_SOURCES={}),
            pytest.raises(ImproperlyConfigured, match="'population' source is served by a demo"),
        ):
            get_source("population")
    finally:
        get_source.cache_clear()


# -- the real command, as an operator runs it ----------------------------------------------------


def with_module(tmp_path: Path, name: str, code: str) -> dict[str, str]:
    (tmp_path / f"{name}.py").write_text(code)
    environment = safe_environment(tmp_path)
    environment["PYTHONPATH"] = os.pathsep.join([str(tmp_path), environment.get("PYTHONPATH", "")])
    return environment


def test_production_refuses_to_start_on_a_demo_adapter_in_another_module(tmp_path: Path) -> None:
    environment = with_module(
        tmp_path,
        "municipal_gateway",
        "from loket.sources.demo import PopulationRegister\n\n"
        "class Population(PopulationRegister):\n    pass\n",
    )
    environment["LOKET_SOURCES"] = json.dumps(
        {**REAL, "population": "municipal_gateway.Population"}
    )
    result = check_deploy(environment)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "refuses to start in production" in result.stderr
    assert (
        "real adapter for 'population', not the demo (municipal_gateway.Population" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_production_accepts_a_real_adapter_whose_module_is_called_demo_something(
    tmp_path: Path,
) -> None:
    environment = with_module(
        tmp_path,
        "demo_registers",
        "from loket.sources.http import HttpPopulationRegister\n\n"
        "class Population(HttpPopulationRegister):\n    pass\n",
    )
    environment["LOKET_SOURCES"] = json.dumps({**REAL, "population": "demo_registers.Population"})
    result = check_deploy(environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "loket.E" not in result.stdout + result.stderr


def test_the_deploy_check_names_a_demo_adapter_outside_production(tmp_path: Path) -> None:
    environment = {**safe_environment(tmp_path), "LOKET_ENV": "demo", "LOKET_SOURCES": ""}
    result = check_deploy(environment)
    assert result.returncode != 0
    assert "loket.E004" in result.stderr
    assert "LOKET_SOURCES must name a real adapter for 'social'" in result.stderr
