"""The pipeline: its stages, in order, with the won and lost stages always last."""
import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Stage, User
from app.services.audit import record_audit
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.pagination import keyset_page
from app.services.records import apply_changes, check_version, find_replay, new_id

DEFAULT_STAGES = (
    ("Qualification", 10, "open"), ("Needs analysis", 25, "open"), ("Proposal", 50, "open"),
    ("Negotiation", 75, "open"), ("Won", 100, "won"), ("Lost", 0, "lost"),
)
TERMINAL_POSITION = 10_000


def ensure_default_stages() -> None:
    """The default pipeline, the first time anyone needs one (safe when two do at once)."""
    if db.session.scalar(select(Stage.id).limit(1)) is not None:
        return
    try:
        with db.session.begin_nested():
            for position, (name, probability, kind) in enumerate(DEFAULT_STAGES, start=1):
                # the terminal stages stay last when stages are added
                position = position * 10 if kind == "open" else TERMINAL_POSITION + position
                db.session.add(Stage(id=uuid.uuid4(), name=name, position=position,
                                     probability=probability, kind=kind, active=True,
                                     version=1))
    except IntegrityError:
        pass  # someone else created them a moment ago


def _require_admin(actor: User) -> None:
    if actor.role != "admin":
        raise Forbidden("Only an administrator can do this.")


def list_stages(limit: int, cursor: str | None):
    ensure_default_stages()
    return keyset_page(select(Stage), (Stage.position, Stage.id), limit, cursor)


def get_stage(stage_id: uuid.UUID) -> Stage:
    stage = db.session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("Stage not found.")
    return stage


def create_stage(actor: User, data: dict) -> tuple[Stage, bool]:
    _require_admin(actor)
    ensure_default_stages()
    existing = find_replay(Stage, data.get("id"), lambda s: True)
    if existing is not None:
        return existing, False
    if db.session.scalar(select(Stage.id).where(Stage.name == data["name"])) is not None:
        raise Invalid({"name": ["A stage with this name already exists."]})
    position = data.get("position")
    if position is None:  # after the last open stage, before won and lost
        position = (db.session.scalar(select(func.max(Stage.position))
                                      .where(Stage.kind == "open")) or 0) + 10
    stage = Stage(id=new_id(data.get("id")), name=data["name"], position=position,
                  probability=data["probability"], kind="open", active=True, version=1)
    db.session.add(stage)
    db.session.flush()
    record_audit(actor, "stage", stage.id, "created", {"name": (None, stage.name)})
    return stage, True


def update_stage(actor: User, stage: Stage, data: dict, expected_version=None) -> Stage:
    _require_admin(actor)
    check_version(stage, expected_version)
    if "name" in data and data["name"] != stage.name and db.session.scalar(
            select(Stage.id).where(Stage.name == data["name"])) is not None:
        raise Invalid({"name": ["A stage with this name already exists."]})
    if stage.kind != "open" and ("probability" in data or data.get("active") is False):
        raise Invalid({"probability": ["Won and lost are fixed stages."]})
    changes = apply_changes(stage, data, ("name", "probability", "position", "active"))
    if changes:
        record_audit(actor, "stage", stage.id, "changed", changes)
        db.session.flush()
    return stage


def terminal_stage(kind: str) -> Stage:
    ensure_default_stages()
    stage = db.session.scalar(select(Stage).where(Stage.kind == kind)
                              .order_by(Stage.position).limit(1))
    if stage is None:  # an administrator cannot remove them; only a broken database
        raise Conflict("The pipeline has no won or lost stage.")
    return stage


def first_open_stage() -> Stage:
    ensure_default_stages()
    stage = db.session.scalar(select(Stage).where(Stage.kind == "open", Stage.active.is_(True))
                              .order_by(Stage.position, Stage.id).limit(1))
    if stage is None:
        raise Conflict("The pipeline has no open stage.")
    return stage


def open_stage(stage_id: uuid.UUID) -> Stage:
    stage = db.session.get(Stage, stage_id)
    if stage is None or not stage.active:
        raise Invalid({"stage_id": ["Unknown stage."]})
    if stage.kind != "open":
        raise Invalid({"stage_id": ["Use win or lose to close a deal."]})
    return stage
