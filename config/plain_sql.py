"""Model instances to and from plain SQL, for the few statements every
inbound text makes.

Every answered text looks up its sender, their open check-in and the
program's questions, stores the text, the answer and the reply, and moves
the check-in on. Through the ORM, compiling those statements cost more than
running them (the joins bring some sixty columns, and the ORM builds each
statement again on every call; docs/performance.md). Here the SQL is written
once per process from the models' own fields and, on PostgreSQL, prepared
once per connection. Rows
become ordinary model instances through `Model.from_db` and the fields' own
converters, and rows are written with each field's own `pre_save` and
`get_db_prep_save`, exactly as the ORM reads and writes them. A new field
needs no change here.

Only for hot paths; everything else keeps the ORM.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import Field, Model
from django.db.models.signals import post_save, pre_save


@functools.cache
def columns(model: type[Model], alias: str) -> str:
    """`alias."col", …` for every concrete field, in the model's field order."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def lock_rows_of(alias: str) -> str:
    """` FOR NO KEY UPDATE OF alias`, where the database has row locks
    (PostgreSQL; SQLite, for `make run`, locks the whole database anyway)."""
    features = _database().features
    if features.has_select_for_update and features.has_select_for_no_key_update and features.has_select_for_update_of:
        return f" FOR NO KEY UPDATE OF {alias}"
    return ""


def select(sql: str, params: Sequence[Any], models: Sequence[type[Model]]) -> list[tuple[Model | None, ...]]:
    """Run `sql`, whose columns are `columns(model, …)` of each model in turn,
    and return one tuple of instances per row. An instance whose primary key
    is null (the empty side of an outer join) is None."""
    db = _database()
    return [_instances(db, row, models) for row in _rows(db, sql, params)]


def rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run `sql` (prepared, on PostgreSQL) and return its rows as they come."""
    return _rows(_database(), sql, params)


def _database() -> BaseDatabaseWrapper:
    """The connection itself, looked up once per call: every attribute read
    through `django.db.connection` looks it up again, and on the webhook's
    path those lookups added up (docs/performance.md)."""
    return connections[DEFAULT_DB_ALIAS]


def _rows(db: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with _cursor(db) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def insert(instance: Model) -> Model:
    """Save a new `instance` as `save()` would (defaults, `auto_now`, each
    field's conversion for the database, the primary key read back), as one
    prepared INSERT. Only where that is all `save()` does: a model with its
    own `save()` or with save signals, a primary key already set, or a
    database other than PostgreSQL goes through `save()` itself."""
    model, db = type(instance), _database()
    if instance.pk is not None or not _plain_save_will_do(db, model):
        instance.save(force_insert=True)
        return instance
    # As save() does: refuse an unsaved related object rather than store a null.
    instance._prepare_related_fields_for_save(operation_name="save")
    fields, sql = _insert_statement(model)
    values = [field.pre_save(instance, True) for field in fields]
    if any(hasattr(value, "resolve_expression") for value in values):  # F(), Now(): the ORM compiles those
        instance.save(force_insert=True)
        return instance
    ((pk,),) = _rows(db, sql, [field.get_db_prep_save(value, db) for field, value in zip(fields, values)])
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = db.alias
    return instance


def update(instance: Model, fields: Sequence[str]) -> None:
    """Write `fields` of a stored `instance` as `save(update_fields=fields)`
    would, as one prepared UPDATE; like `save()`, fail when no row was
    written. Only where that is all `save()` does, as for `insert()`."""
    model, db = type(instance), _database()
    if not _plain_save_will_do(db, model):
        instance.save(update_fields=fields)
        return
    instance._prepare_related_fields_for_save(operation_name="save")
    written, sql = _update_statement(model, tuple(fields))
    values = [field.pre_save(instance, False) for field in written]
    if any(hasattr(value, "resolve_expression") for value in values):
        instance.save(update_fields=fields)
        return
    params = [field.get_db_prep_save(value, db) for field, value in zip(written, values)]
    with _cursor(db) as cursor:
        cursor.execute(sql, [*params, instance.pk])
        if cursor.rowcount != 1:
            raise DatabaseError(f"Updating {model.__name__} {instance.pk} wrote {cursor.rowcount} rows.")


def _plain_save_will_do(db: BaseDatabaseWrapper, model: type[Model]) -> bool:
    """True when `save()` would do nothing but write the row: PostgreSQL, no
    `save()` of the model's own, no save signals."""
    return (
        db.vendor == "postgresql"
        and model.save is Model.save
        and not pre_save.has_listeners(model)
        and not post_save.has_listeners(model)
    )


@functools.cache
def _update_statement(model: type[Model], names: tuple[str, ...]) -> tuple[list[Field], str]:
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    return fields, f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"


@functools.cache
def _insert_statement(model: type[Model]) -> tuple[list[Field], str]:
    """The fields an INSERT writes (as the ORM chooses them: all concrete
    ones but the auto primary key and generated columns) and its SQL."""
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(meta.pk.column)}"
    )
    return fields, sql


def _cursor(db: BaseDatabaseWrapper):
    """Django's cursor, except that on PostgreSQL the statement is prepared
    once per connection and then only executed: planning the sender's
    four-table join cost PostgreSQL more than running it. Django's own
    cursors bind parameters on the client and cannot prepare, so this one
    binds on the server (every parameter here is one value, never a list, so
    the 65,535-parameter limit of server-side binding cannot be reached). The
    same steps as `connection.cursor()`: health check, connection, Django's
    wrapper (errors, execute wrappers).

    While Django logs queries (DEBUG, or a test capturing them) the plain
    cursor is used: psycopg keeps no query text for a prepared statement, so
    the log would hold None where the SQL should be."""
    if db.vendor != "postgresql" or db.queries_logged:
        return db.cursor()
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    return db.make_cursor(_PreparingCursor(db.connection))


class _PreparingCursor(ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def _instances(db: BaseDatabaseWrapper, row: Sequence[Any], models: Sequence[type[Model]]) -> tuple[Model | None, ...]:
    instances: list[Model | None] = []
    start = 0
    for model in models:
        fields = model._meta.concrete_fields
        values = list(row[start : start + len(fields)])
        start += len(fields)
        pk_index = fields.index(model._meta.pk)
        if values[pk_index] is None:
            instances.append(None)
            continue
        for index, convert in _converters(model, db.vendor):
            values[index] = convert(values[index], db)
        instances.append(model.from_db(db.alias, None, values))
    return tuple(instances)


@functools.cache
def _converters(model: type[Model], vendor: str) -> list[tuple[int, Callable[[Any, BaseDatabaseWrapper], Any]]]:
    """The converters the ORM applies to each column (the backend's, then the
    field's own, as SQLCompiler.get_converters orders them). Cached per model
    and database vendor: they depend on nothing else."""
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        chain = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if chain:
            found.append((index, functools.partial(_convert, chain=tuple(chain), column=column)))
    return found


def _convert(value: Any, db: BaseDatabaseWrapper, *, chain: tuple[Callable, ...], column: Any) -> Any:
    for converter in chain:
        value = converter(value, column, db)
    return value
