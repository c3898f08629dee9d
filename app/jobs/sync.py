"""Housekeeping of the offline book's delta sync."""
from app.extensions import db
from app.models.base import utcnow
from app.services.customer_sync import prune_customer_removals


def prune_old_removals(app=None) -> int:
    """Forget customer removals no phone may still need (older than the sync keeps them)."""
    pruned = prune_customer_removals(utcnow())
    db.session.commit()
    return pruned
