"""Helpers every workflow shares: replayed creates, If-Match, field updates, owners."""
import uuid
from dataclasses import fields as dataclass_fields
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from app.services.scoping import can_assign_to
from app.extensions import db
from app.models import Team, User
from app.services.errors import Conflict, Forbidden, Invalid, NotFound, StaleVersion, Text

MONEY_MAX = Decimal("9999999999.99")  # what a Numeric(12, 2) column holds
CENT = Decimal("0.01")


def money(value) -> Decimal:
    """To cents, half-up (1.005 -> 1.01), as everywhere money is rounded."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def find_replay(model, record_id: uuid.UUID | None, is_mine) -> object | None:
    """The stored record when a create is sent again with the same client id.

    ``is_mine(record)`` says whether the stored record belongs to the sender; if not, the
    id is taken by someone else's record and the create is a conflict.
    """
    if record_id is None:
        return None
    existing = db.session.get(model, record_id)
    if existing is None:
        return None
    if getattr(existing, "deleted_at", None) is not None or not is_mine(existing):
        raise Conflict("This id is already used by another record.")
    return existing


def get_visible(model, visible, actor: User, record_id: uuid.UUID, what: str):
    """One record through its model's scoping rule, or NotFound (missing and out of scope
    look the same)."""
    record = db.session.scalar(visible(select(model), actor).where(model.id == record_id))
    if record is None:
        raise NotFound(f"{what} not found.")
    return record


def check_version(record, expected: int | None) -> None:
    """412 when the client's If-Match version is not the stored one."""
    if expected is not None and expected != record.version:
        raise StaleVersion(Text("This record was changed by someone else (now version "
                                "{version}). Reload it and try again.", version=record.version))


def apply_changes(record, data: dict, fields) -> dict:
    """Set the given fields; return {field: (old, new)} for the ones that changed."""
    changes = {}
    for field in fields:
        if field in data and getattr(record, field) != data[field]:
            changes[field] = (getattr(record, field), data[field])
            setattr(record, field, data[field])
    return changes


def resolve_owner(actor: User, owner_id: uuid.UUID | None) -> User:
    """The user a record may be given to by ``actor`` (themselves by default)."""
    if owner_id is None or owner_id == actor.id:
        return actor
    row = db.session.execute(
        select(User, Team).outerjoin(Team, User.team_id == Team.id).where(User.id == owner_id)
    ).first()
    if row is None or not row.User.active:
        raise Invalid({"owner_id": ["Unknown user."]})
    owner, team = row
    if not can_assign_to(actor, owner, team):
        raise Forbidden("You may only give records to yourself or to members of teams you lead.")
    return owner


def read_of(read_class, record, **values):
    """A read model (a frozen dataclass) of ``record``: its attributes of the same names,
    ``values`` for the ones it does not have (names joined in, figures computed)."""
    return read_class(**{f.name: values[f.name] if f.name in values else getattr(record, f.name)
                         for f in dataclass_fields(read_class)})


def new_id(record_id: uuid.UUID | None) -> uuid.UUID:
    return record_id or uuid.uuid4()


def where_equal(query, model, filters: dict, fields):
    """``query`` narrowed to rows whose ``fields`` equal the given filters (a filter left
    out, or empty, narrows nothing): the plain filters of every list endpoint."""
    for field in fields:
        if filters.get(field):
            query = query.where(getattr(model, field) == filters[field])
    return query
