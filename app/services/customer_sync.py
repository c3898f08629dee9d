"""The offline book's delta sync: the customers in a user's scope changed since a time,
and the ones that left it (deleted, or given to someone out of the user's sight).

One ordered stream, keyset-paged on (at, id): a changed customer at its ``updated_at``, a
removal at its ``removed_at``. Each half reads its own index in that order and stops at
the page (changes: ix_customers_owner_updated or ix_customers_updated; removals:
ix_customer_removals_owner or ix_customer_removals_removed), and the page's changed
customers are then read by key with their owner and RFM: three statements with the
session's.

Removals come from ``customer_removals``, a row per owner a customer leaves, written in the
flush of the write that deleted it or changed its owner (a session hook, whatever service
made the change). A user is told of a removal only when the owner it left was in their
scope (so they could have seen it: a rep hears only of their own former customers) and the
customer is not in their scope now (a customer moved between two reps of a lead's team is
no removal for the lead, and a change of owner none for a manager).

Ordering in time: ``updated_at`` is set when the write is flushed, not when it commits, so
a write can commit with an ``updated_at`` a little before the ``as_of`` of a read that did
not see it. Each sync therefore starts ``SYNC_OVERLAP`` before the ``updated_since`` sent:
the client gets the last moments again and keeps, per id, the higher ``version``.

A user's scope can change without any customer changing (a rep moves to another team,
a team gets a new lead): ``users.scope_changed_at`` is set then, and a sync from before it
is refused (410) the same way.

Removals are kept ``REMOVALS_KEPT`` (the worker prunes older ones). A phone that has not
synced for longer could miss one, so such a sync is refused (410) and the phone downloads
its book again from the start; a first sync (``updated_since`` before ``FULL_SYNC_BEFORE``)
needs no removals and is always answered.
"""
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import (
    delete, event, exists, inspect, literal, literal_column, select, tuple_, union_all,
)
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Customer, CustomerRemoval, User
from app.models.base import utcnow
from app.models.customers import SYNC_FLOOR
from app.services.customers import _rows_with_rfm, _with_rfm
from app.services.errors import Gone, Text
from app.services.pagination import decode_cursor, encode_cursor
from app.services.scoping import owner_scope, visible_customers

# Longer than any write transaction (gunicorn's worker timeout is 30 s) plus clock skew
# between application servers.
SYNC_OVERLAP = timedelta(seconds=60)
# How long a removal is kept for the phones that have yet to hear of it.
REMOVALS_KEPT = timedelta(days=90)
# A sync from before this is a first download (the PWA sends 2000-01-01): no customer
# existed then, so it needs no removal.
FULL_SYNC_BEFORE = datetime(2001, 1, 1, tzinfo=timezone.utc)
# The cursor: the last item's (at, id) and the as_of of the walk's first page.
_CURSOR_COLUMNS = (Customer.updated_at, Customer.id, Customer.updated_at)


@dataclass(frozen=True)
class CustomerRemoved:
    """A customer to drop from the phone; ``updated_at`` is when it left the book."""

    id: uuid.UUID
    updated_at: datetime
    deleted: bool = True


def register() -> None:
    """Hook the removal records into the session (once per process)."""
    if event.contains(db.session, "before_flush", _before_flush):
        return
    event.listen(db.session, "before_flush", _before_flush)
    for name in ("owner_id", "deleted_at"):
        # Setting one on an expired customer loads the old value first, so the flush knows
        # whose book it left.
        event.listen(getattr(Customer, name), "set", _keep, active_history=True)


def _keep(_target, value, _old, _initiator):
    return value


def _before_flush(session, _flush_context, _instances):
    now = utcnow()
    for customer in list(session.dirty):
        if not isinstance(customer, Customer):
            continue
        state = inspect(customer)
        owner, deleted = state.attrs.owner_id.history, state.attrs.deleted_at.history
        old_owner = owner.deleted[0] if owner.deleted else customer.owner_id
        newly_deleted = customer.deleted_at is not None and bool(deleted.added) and not (
            deleted.deleted and deleted.deleted[0] is not None)
        if old_owner is not None and (old_owner != customer.owner_id or newly_deleted):
            session.add(CustomerRemoval(customer_id=customer.id, owner_id=old_owner,
                                        removed_at=now))


def changes_since(actor: User, since: datetime, limit: int, cursor: str | None):
    """(items, next_cursor, as_of): a page of what changed in ``actor``'s book since
    ``since``, oldest change first. Items are CustomerWithRfm (changed or new) and
    CustomerRemoved; ``as_of`` is the ``updated_since`` to send next time, once every page
    is read (the same on every page of one walk). An id can come twice (a customer moved
    twice); the client applies the items in order and keeps the higher version."""
    if FULL_SYNC_BEFORE <= since < utcnow() - REMOVALS_KEPT + SYNC_OVERLAP:
        raise Gone(Text("This offline book is more than {days} days old: download it again "
                        "from the start.", days=REMOVALS_KEPT.days))
    changed_at = actor.scope_changed_at
    if FULL_SYNC_BEFORE <= since and changed_at and since < changed_at + SYNC_OVERLAP:
        # A team's members or lead changed: customers came into sight unchanged since
        # long ago, and others went out of it with no removal recorded.
        raise Gone("Whose customers you see has changed: download the offline book again.")
    after = None
    if cursor:
        at, last_id, as_of = decode_cursor(cursor, _CURSOR_COLUMNS)
        after = (at, last_id)
    else:
        as_of = utcnow()
    start = since - SYNC_OVERLAP
    changed = (visible_customers(select(Customer.id.label("id"), Customer.updated_at.label("at"),
                                        literal(False).label("deleted")), actor)
               .where(Customer.updated_at >= start,
                      # the sync indexes' predicate, so that they can be used
                      Customer.updated_at > literal_column(SYNC_FLOOR)))
    removal = CustomerRemoval
    seen_now = aliased(Customer)
    removed = (select(removal.customer_id.label("id"), removal.removed_at.label("at"),
                      literal(True).label("deleted"))
               .where(owner_scope(actor, removal.owner_id), removal.removed_at >= start)
               .where(~exists().where(
                   seen_now.id == removal.customer_id, seen_now.deleted_at.is_(None),
                   owner_scope(actor, seen_now.owner_id))))
    halves = [_after(changed, (Customer.updated_at, Customer.id), after, limit),
              _after(removed, (removal.removed_at, removal.customer_id), after, limit)]
    stream = union_all(*(select(half) for half in halves)).subquery()
    rows = db.session.execute(
        select(stream).order_by(stream.c.at, stream.c.id).limit(limit + 1)).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].at, rows[-1].id, as_of])
    customers = _customers([row.id for row in rows if not row.deleted])
    items = [CustomerRemoved(id=row.id, updated_at=row.at) if row.deleted
             else customers.get(row.id) for row in rows]
    # A customer deleted between the two statements is gone from the page; its removal
    # comes with the next sync.
    return [item for item in items if item is not None], next_cursor, as_of


def prune_customer_removals(now: datetime) -> int:
    """Forget removals older than ``REMOVALS_KEPT`` (a range of ix_customer_removals_removed);
    a phone that would have needed one is told to download its book again. Returns how
    many went."""
    result = db.session.execute(
        delete(CustomerRemoval).where(CustomerRemoval.removed_at < now - REMOVALS_KEPT))
    return result.rowcount or 0


def _after(query, sort_columns, after, limit: int):
    """``query`` past the cursor's (at, id) in ``sort_columns`` order, a page and one row."""
    if after is not None:
        at_type, id_type = (column.type for column in sort_columns)
        query = query.where(tuple_(*sort_columns) > tuple_(
            literal(after[0], type_=at_type), literal(after[1], type_=id_type)))
    return query.order_by(*sort_columns).limit(limit + 1).subquery()


def _customers(ids: list) -> dict:
    if not ids:
        return {}
    rows = db.session.execute(_with_rfm(
        select(Customer, User.name).outerjoin(User, User.id == Customer.owner_id)
        .where(Customer.id.in_(ids)))).all()
    return {customer.id: customer for customer in _rows_with_rfm(rows)}
