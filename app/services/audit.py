from app.extensions import db
from app.models import AuditEntry


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def record_audit(actor, entity: str, entity_id, action: str, changes: dict | None = None):
    """Add an audit row (old -> new) to the current transaction."""
    plain = {k: [_plain(old), _plain(new)] for k, (old, new) in (changes or {}).items()}
    db.session.add(AuditEntry(
        actor_id=actor.id if actor else None, entity=entity, entity_id=entity_id,
        action=action, changes=plain,
    ))
