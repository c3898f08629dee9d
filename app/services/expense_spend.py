"""Each expense item carries its claim's owner and status (``claim_status``, NULL once the
claim is deleted), so the expense report reads a period's items from one covering index
and never looks up their claims: at 100,000 customers a manager's report otherwise read
every approved claim of three years to find the period's items.

Kept in step in the transaction of every write made through the session: a new item takes
its claim's values before the flush; a claim whose owner, status or deletion changed
updates its items after the flush (one UPDATE per such claim, and a request changes one
claim). Core inserts the session does not see (the scale seed's) need
``rebuild_expense_spend()`` after them (``fieldline rollups rebuild`` does it).
"""
from sqlalchemy import case, event, inspect, select, update

from app.extensions import db
from app.models import ExpenseClaim, ExpenseItem

TRACKED = ("owner_id", "status", "deleted_at")


def register() -> None:
    """Hook the copy into the session (once per process)."""
    if event.contains(db.session, "before_flush", _before_flush):
        return
    event.listen(db.session, "before_flush", _before_flush)
    event.listen(db.session, "after_flush", _after_flush)


def _claim_values(claim: ExpenseClaim) -> dict:
    return {"owner_id": claim.owner_id,
            "claim_status": claim.status if claim.deleted_at is None else None}


def _before_flush(session, _flush_context, _instances):
    new_items = [o for o in session.new if isinstance(o, ExpenseItem)]
    if not new_items:
        return
    pending = {o.id: o for o in session.new if isinstance(o, ExpenseClaim)}
    for item in new_items:
        claim = pending.get(item.claim_id) or session.get(ExpenseClaim, item.claim_id)
        if claim is not None:  # else the foreign key refuses the item anyway
            for name, value in _claim_values(claim).items():
                setattr(item, name, value)


def _after_flush(session, _flush_context):
    items = ExpenseItem.__table__
    for claim in session.dirty:
        if isinstance(claim, ExpenseClaim) and any(
                inspect(claim).attrs[name].history.added for name in TRACKED):
            session.connection().execute(
                update(items).where(items.c.claim_id == claim.id)
                .values(**_claim_values(claim)))


def rebuild_expense_spend() -> int:
    """Copy every claim's owner and status onto its items again, in the caller's
    transaction. Returns the items updated."""
    items, claims = ExpenseItem.__table__, ExpenseClaim.__table__
    of_claim = claims.c.id == items.c.claim_id
    result = db.session.connection().execute(
        update(items).values(
            owner_id=select(claims.c.owner_id).where(of_claim).scalar_subquery(),
            claim_status=select(case((claims.c.deleted_at.is_(None), claims.c.status)))
            .where(of_claim).scalar_subquery()),
        execution_options={"preserve_rowcount": True})
    return result.rowcount
