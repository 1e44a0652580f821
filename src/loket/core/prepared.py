"""Small reads made on every request, built and compiled by the ORM once per process.

For the small reads every page makes, building a QuerySet and compiling it to SQL costs more
than running it: a user's roles (one query with four ``EXISTS``) took 1.9 ms on PostgreSQL, 1.2 ms
of it in the ORM (``python -m bench.profile page /en/``). A ``PreparedRead`` calls its builder
once per database with stand-in values, keeps the SQL and the positions of the stand-ins among
its parameters, and from then on sends that SQL with the real values: the query stays written
with the ORM, in the selector that owns it, and is compiled once.

    roles = PreparedRead(lambda user_id: Membership.objects.filter(user_id=user_id)
                         .values_list("role", flat=True), kinds=(int,))
    roles.rows(42)  # [("agent",), ...]

What it accepts, checked when the query is first built (so a test of the read catches a misuse):

- values are ``int``, ``str`` or ``uuid.UUID``, of the declared kinds, and each must reach the
  SQL as a parameter unchanged, or for a UUID as the database stores one (itself on
  PostgreSQL, its hex digits on SQLite); a value the ORM transforms otherwise (``__contains``
  wraps it in ``%``, a date is converted per database) is refused;
- the values never change the query's shape: a builder that branches on a value (``None`` gives
  ``IS NULL``, an empty string another filter) needs one ``PreparedRead`` per shape;
- the rows are what ``values_list`` would give: the database's and the fields' converters
  (``from_db_value``) are applied, as the ORM applies them.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet

# Two sets of stand-in values, small enough for any integer column (the ORM treats a value out of
# a column's range as "no rows"): a parameter that is the first set's stand-in in one compilation
# and the second set's in the other is where that value goes; one equal in both is a constant.
_STANDINS = ((30_001, "\x1fprepared-a{}\x1f"), (31_001, "\x1fprepared-b{}\x1f"))


# The SQL, its constant parameters, where each value goes and how it is passed there, and the
# selected expressions (whose converters are asked of the connection that runs the query:
# connections are per thread).
_Compiled = tuple[str, list[Any], list[tuple[int, Callable[[Any], Any]] | None], list[Any]]
_KINDS = (int, str, uuid.UUID)


def _standin(kind: type, first_int: int, text: str, position: int) -> int | str | uuid.UUID:
    if kind is int:
        return first_int + position
    if kind is str:
        return text.format(position)
    return uuid.UUID(int=first_int + position)


def _uuid_hex(value: uuid.UUID) -> str:
    return value.hex


def _same(value: Any) -> Any:
    return value


class PreparedRead:
    def __init__(self, build: Callable[..., QuerySet[Any]], *, kinds: Sequence[type]) -> None:
        if any(kind not in _KINDS for kind in kinds):
            raise TypeError("PreparedRead values are int, str or uuid.UUID")
        self._build = build
        self._kinds = tuple(kinds)
        # Per database alias.
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, *values: int | str | uuid.UUID, using: str = "default") -> list[tuple[Any, ...]]:
        """The query's rows for these values (in the builder's order)."""
        if len(values) != len(self._kinds) or any(
            type(value) is not kind for value, kind in zip(values, self._kinds, strict=True)
        ):
            raise TypeError(f"PreparedRead expects values of kinds {self._kinds}, got {values!r}")
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:  # one compilation, not one per thread that was waiting
                compiled = self._compiled.get(using)
                if compiled is None:
                    compiled = self._compiled[using] = self._compile(using)
        sql, constants, slots, selected = compiled
        params = [
            constants[i] if slot is None else slot[1](values[slot[0]])
            for i, slot in enumerate(slots)
        ]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        # The database's and the fields' converters, as SQLCompiler.get_converters finds them.
        converters = [
            (position, functions, expression)
            for position, expression in enumerate(selected)
            if expression
            and (functions := [*connection.ops.get_db_converters(expression),
                              *expression.get_db_converters(connection)])
        ]  # fmt: skip
        if not converters:
            return rows
        converted = []
        for row in rows:
            values_out = list(row)
            for position, functions, expression in converters:
                for convert in functions:
                    values_out[position] = convert(values_out[position], expression, connection)
            converted.append(tuple(values_out))
        return converted

    def _compile(self, using: str) -> _Compiled:
        compiled = []
        for first_int, text in _STANDINS:
            standins = [
                _standin(kind, first_int, text, position)
                for position, kind in enumerate(self._kinds)
            ]
            compiler = self._build(*standins).using(using).query.get_compiler(using)
            compiled.append((standins, compiler, *compiler.as_sql()))
        (standins_a, compiler, sql, params), (standins_b, _, sql_b, params_b) = compiled
        if sql != sql_b or len(params) != len(params_b):
            raise ValueError(f"PreparedRead: the values change the query's shape: {sql}")
        slots: list[tuple[int, Callable[[Any], Any]] | None] = []
        for param, param_b in zip(params, params_b, strict=True):
            if param == param_b:
                slots.append(None)
                continue
            slot = next((i for i, standin in enumerate(standins_a) if param == standin), None)
            if slot is not None and param_b == standins_b[slot]:
                # The driver's own type for it is kept (psycopg's Int4 for an integer column).
                slots.append((slot, _same if isinstance(param, uuid.UUID) else type(param)))
                continue
            slot = next(
                (i for i, standin in enumerate(standins_a)
                 if isinstance(standin, uuid.UUID) and param == standin.hex),
                None,
            )  # fmt: skip
            if slot is None or param_b != standins_b[slot].hex:
                raise ValueError(f"PreparedRead: the ORM changed a value on its way to SQL: {sql}")
            slots.append((slot, _uuid_hex))  # a database without a UUID type: its hex digits
        missing = set(range(len(self._kinds))) - {slot[0] for slot in slots if slot is not None}
        if missing:
            raise ValueError(f"PreparedRead: values {sorted(missing)} do not reach the SQL: {sql}")
        return (
            sql,
            list(params),
            slots,
            [column[0] for column in compiler.select[: compiler.col_count]],
        )


M = TypeVar("M", bound=Model)


class PreparedInstance(Generic[M]):
    """A ``PreparedRead`` of one whole model instance: every concrete field of the row that
    ``where(*values)`` finds, made into an instance as the ORM makes it (``Model.from_db``)."""

    def __init__(
        self, model: type[M], where: Callable[..., QuerySet[M]], *, kinds: Sequence[type]
    ) -> None:
        self._model = model
        self._fields = [field.attname for field in model._meta.concrete_fields]
        self._read = PreparedRead(
            lambda *values: where(*values).values_list(*self._fields)[:1], kinds=kinds
        )

    def first(self, *values: int | str | uuid.UUID, using: str = "default") -> M | None:
        rows = self._read.rows(*values, using=using)
        return self._model.from_db(using, self._fields, rows[0]) if rows else None
