"""The building blocks of the definition schema: a strict base model, texts in three languages,
and the value types that the field options (``fields.py``) and the schema (``schema.py``) share."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints


class Spec(BaseModel):
    """A part of a definition: unknown keys and values of the wrong type are refused."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Texts(Spec):
    """A text in each of the three languages."""

    fr: Text
    nl: Text
    en: Text


def _fact_name(value: str) -> str:
    if not re.fullmatch(r"[a-z_]+\.[a-z_]+", value):
        raise ValueError("write a fact as source.attribute, for example population.address")
    return value


def _whole_if_possible(value: float) -> float:
    return int(value) if value.is_integer() else value


def _text_of_number(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Scalar = Annotated[str, BeforeValidator(_text_of_number)]  # an answer: "yes", "2", "road_damage"
FactName = Annotated[str, AfterValidator(_fact_name)]
Number = Annotated[float, AfterValidator(_whole_if_possible)]  # 5 stays 5, 2.5 stays 2.5
