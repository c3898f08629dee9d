"""Lead recycling: open leads nobody worked on go back to the pool."""
from app.extensions import db
from app.services import leads as lead_service


def recycle_stale_leads(app=None) -> int:
    """Back to the pool: open leads whose owner did nothing with them for N days (setting
    ``lead_recycle_days``). Each lead is taken by one conditional UPDATE and committed on
    its own, so two workers (or two runs) recycle and notice it once."""
    days, cutoff = lead_service.recycle_cutoff()
    candidates = lead_service.stale_leads(cutoff)
    db.session.rollback()  # end the read; each lead is then decided by its own UPDATE
    recycled = 0
    for candidate in candidates:
        if lead_service.recycle_lead(candidate, days, cutoff):
            db.session.commit()
            recycled += 1
        else:
            db.session.rollback()
    return recycled
