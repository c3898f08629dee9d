"""Housekeeping of browser sessions."""
from sqlalchemy import delete

from app.extensions import db
from app.models import UserSession
from app.models.base import utcnow


def purge_expired_sessions(app) -> int:
    """Forget browser sessions past their expiry (signed-out devices, old phones)."""
    result = db.session.execute(delete(UserSession).where(UserSession.expires_at <= utcnow()))
    db.session.commit()
    return result.rowcount or 0
