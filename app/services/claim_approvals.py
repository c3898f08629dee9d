"""The approval chain an expense claim goes through once submitted.

draft -> submitted -> team lead -> manager (only above the threshold) -> finance -> approved
-> paid. A step is skipped (and the skip recorded) when nobody but the submitter could
decide it: a lead's own claim skips the lead step and goes to a manager whatever its total;
a manager's own claim goes to the other managers (skipped only when there is none).
A rejection at any step sends the claim back to its submitter as a draft; submitting again
starts a new round of the chain, with the history of the earlier ones kept.

Two people deciding the same claim at once: the claim's version column makes the second
UPDATE match no row, which is answered 409 (``Conflict``) here, never applied twice.
"""
import uuid
from contextlib import contextmanager

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm.exc import StaleDataError

from app.services.scoping import visible_expense_claims
from app.extensions import db
from app.models import ExpenseClaim, ExpenseItem, ExpenseStep, Team, User
from app.models.base import utcnow
from app.services import settings as settings_service
from app.services.audit import record_audit
from app.services.claims import get_claim
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.notifications import notify
from app.services.records import check_version, money

CHAIN = ("lead", "manager", "finance")
# Who may decide a step besides its named approver; an admin may decide any of them.
STEP_ROLES = {"lead": ("admin",), "manager": ("manager", "admin"),
              "finance": ("finance", "admin")}
PAYERS = ("cashier", "admin")
# Why a step was skipped (stored as the history line's comment; the PWA words them).
OWN_CLAIM, NO_TEAM_LEAD, BELOW_THRESHOLD = "own_claim", "no_team_lead", "below_threshold"


def allowed_actions(actor: User, claim: ExpenseClaim, history=None) -> list[str]:
    """What ``actor`` may do to the claim now (the PWA shows these buttons); ``history``:
    the claim's lines when read already (else one statement when it matters)."""
    mine = claim.owner_id == actor.id
    if claim.status == "draft":
        return ["edit", "submit", "delete"] if mine else []
    if claim.status == "pending" and not mine and _may_decide(actor, claim) \
            and not _approved_this_round(actor, claim, history):
        return ["approve", "reject"]
    if claim.status == "approved" and not mine and actor.role in PAYERS:
        return ["pay", "reject"]
    return []


def waiting_conditions(actor: User) -> list:
    """The ways a claim waits for ``actor`` (their OR is the inbox): a lead step naming
    them, any step of their role (in one ``step IN``), and for payers the approved claims.
    A step decided by someone who approved an earlier one of this round is not theirs."""
    claim = ExpenseClaim
    pending = and_(claim.status == "pending", ~_approved_by(actor, claim.id, claim.round))
    conditions = [and_(pending, claim.step == "lead", claim.approver_id == actor.id)]
    role_steps = [step for step, roles in STEP_ROLES.items() if actor.role in roles]
    if role_steps:
        conditions.append(and_(pending, claim.step.in_(role_steps)))
    if actor.role in PAYERS:
        conditions.append(claim.status == "approved")
    return conditions


def waiting_for(query, actor: User, conditions=None):
    """``query`` narrowed to the claims waiting for ``actor``'s decision (or payment), among
    the ones they may see: a claim they could not open never shows in their inbox or count
    (someone named lead of a team, then made a rep, sees none of the team's claims).
    ``conditions``: some of ``waiting_conditions`` only."""
    conditions = waiting_conditions(actor) if conditions is None else conditions
    return visible_expense_claims(query, actor).where(ExpenseClaim.owner_id != actor.id,
                                                      or_(*conditions))


def _approved_by(actor: User, claim_id, round_):
    """The condition "``actor`` approved a step of this claim in this round"."""
    return exists().where(ExpenseStep.claim_id == claim_id, ExpenseStep.round == round_,
                          ExpenseStep.action == "approved", ExpenseStep.actor_id == actor.id)


class _History:
    """History lines written by one action, in order."""

    def __init__(self, claim: ExpenseClaim):
        self.claim = claim
        self.lines: list[tuple[str, str]] = []
        self.approvers: set = set()  # approved in this action (not flushed yet)
        self.seq = db.session.scalar(
            select(db.func.coalesce(db.func.max(ExpenseStep.seq), 0))
            .where(ExpenseStep.claim_id == claim.id))

    def add(self, step: str, action: str, actor: User | None, comment: str | None = None):
        self.seq += 1
        self.lines.append((step, action))
        if action == "approved" and actor:
            self.approvers.add(actor.id)
        db.session.add(ExpenseStep(
            id=uuid.uuid4(), claim_id=self.claim.id, round=self.claim.round, step=step,
            action=action, actor_id=actor.id if actor else None, comment=comment, seq=self.seq,
            created_at=utcnow()))


# Who may decide a lead step as the team's named lead: someone since made a rep (or
# deactivated) but still named on the team could neither see nor decide the claim.
LEAD_STEP_ROLES = ("lead", "manager", "admin")


def _team_lead(owner: User) -> User | None:
    """The owner's team lead if they can decide the lead step (active, and a lead, manager
    or admin); None otherwise, and the step is skipped as having no team lead."""
    if owner.team_id is None:
        return None
    row = db.session.execute(
        select(User).join(Team, Team.lead_id == User.id).where(Team.id == owner.team_id)
    ).scalar_one_or_none()
    if row is None or not row.active or row.role not in LEAD_STEP_ROLES:
        return None
    return row


def _route(actor: User, claim: ExpenseClaim, owner: User, after: str | None,
           history: _History) -> None:
    """Move the claim to the first step after ``after`` that needs a decision, recording the
    ones skipped; past the last step the claim is approved."""
    start = 0 if after is None else CHAIN.index(after) + 1
    for step in CHAIN[start:]:
        if step == "lead":
            lead = _team_lead(owner)
            if lead is None or lead.id == owner.id:
                history.add("lead", "skipped", None, NO_TEAM_LEAD if lead is None else OWN_CLAIM)
                continue
            _wait_at(claim, "lead", lead.id, history)
            return
        if step == "manager":
            threshold = money(settings_service.get_setting("expense_manager_threshold"))
            lead_skipped = ("lead", "skipped") in history.lines
            # The threshold is in the company's currency; other currencies always go up.
            below = claim.currency == settings_service.get_setting("currency") \
                and claim.total <= threshold
            if below and not lead_skipped:
                history.add("manager", "skipped", None, BELOW_THRESHOLD)
                continue
            if owner.role == "manager" and not _holders(("manager",), exclude=owner.id):
                # A manager's own claim goes to the other managers; skipped only when
                # there is no other active one.
                history.add("manager", "skipped", None, OWN_CLAIM)
                continue
            _wait_at(claim, "manager", None, history)
            return
        _wait_at(claim, "finance", None, history)
        return
    claim.status, claim.step, claim.approver_id = "approved", None, None
    claim.approved_at = utcnow()
    _tell_submitter(claim, "expense_approved")
    for cashier in _holders(("cashier",), exclude=claim.owner_id):
        notify(cashier.id, "expense_waiting", _params(claim, owner.name),
               url=f"/expenses/{claim.id}", actions=[{"action": "open"}])


def _wait_at(claim: ExpenseClaim, step: str, approver_id, history: _History) -> None:
    claim.status, claim.step, claim.approver_id = "pending", step, approver_id
    # Told only to people who can decide: not the submitter, nor whoever approved an
    # earlier step of this round (a manager who is also the team's lead, say).
    exclude = {claim.owner_id, *_approvers_this_round(claim), *history.approvers}
    people = [] if approver_id else \
        _holders(STEP_ROLES[step][:1] if step != "lead" else (), exclude=exclude)
    if not approver_id and not people and step != "lead":
        people = _holders(("admin",), exclude=exclude)
    recipients = [approver_id] if approver_id else [person.id for person in people]
    owner_name = db.session.get(User, claim.owner_id).name
    for recipient in recipients:
        notify(recipient, "expense_waiting", _params(claim, owner_name), url="/approvals",
               actions=[{"action": "approve", "method": "POST",
                         # the step it was sent for: if the claim has moved on, 409
                         "url": f"/api/v1/expenses/{claim.id}/approve",
                         "body": {"step": step}},
                        {"action": "open"}])


def _holders(roles, exclude) -> list[User]:
    """Active users with one of ``roles``, but not ``exclude`` (an id or a set of ids).
    Users, not ids: loaded here, notify() finds each in the session instead of asking
    the database once per recipient."""
    if not roles:
        return []
    excluded = exclude if isinstance(exclude, set) else {exclude}
    return list(db.session.scalars(select(User).where(
        User.role.in_(roles), User.active.is_(True), User.id.not_in(excluded))))


def _approvers_this_round(claim: ExpenseClaim) -> set:
    """Who approved a step of the claim's round, as written before this action."""
    return set(db.session.scalars(select(ExpenseStep.actor_id).where(
        ExpenseStep.claim_id == claim.id, ExpenseStep.round == claim.round,
        ExpenseStep.action == "approved")))


def _params(claim: ExpenseClaim, owner_name: str | None) -> dict:
    return {"title": claim.title, "owner": owner_name or "", "total": str(claim.total),
            "currency": claim.currency, "claim_id": str(claim.id)}


def _tell_submitter(claim: ExpenseClaim, kind: str, **extra) -> None:
    notify(claim.owner_id, kind, {**_params(claim, None), **extra},
           url=f"/expenses/{claim.id}")


@contextmanager
def _one_decision(claim: ExpenseClaim):
    """Write a decision in one flush at the end (no autoflush half way); someone else's
    decision written first makes the claim's versioned UPDATE match nothing: 409."""
    try:
        with db.session.no_autoflush:
            yield
            claim.updated_at = utcnow()
        db.session.flush()
    except StaleDataError:
        raise Conflict("Someone else decided this claim at the same moment. "
                       "Reload it to see where it is now.") from None


def submit_claim(actor: User, claim: ExpenseClaim, expected_version=None) -> ExpenseClaim:
    if claim.owner_id != actor.id:
        raise Forbidden("Only the submitter can submit this claim.")
    if claim.status != "draft":
        raise Conflict("This claim is already submitted.")
    check_version(claim, expected_version)
    has_items = db.session.scalar(
        select(ExpenseItem.id).where(ExpenseItem.claim_id == claim.id).limit(1))
    if has_items is None:
        raise Invalid({"items": ["Add at least one item before submitting."]})
    with _one_decision(claim):
        old = claim.status
        claim.round += 1
        claim.rejected_reason = None
        claim.submitted_at = utcnow()
        claim.approved_at = None
        history = _History(claim)
        history.add("submit", "submitted", actor)
        _route(actor, claim, actor, None, history)
        record_audit(actor, "expense_claim", claim.id, "submitted",
                     {"status": (old, claim.status), "step": (None, claim.step),
                      "round": (claim.round - 1, claim.round)})
    return claim


def _may_decide(actor: User, claim: ExpenseClaim) -> bool:
    if claim.step == "lead" and claim.approver_id == actor.id:
        return True
    return actor.role in STEP_ROLES.get(claim.step, ())


def _approved_this_round(actor: User, claim: ExpenseClaim, history=None) -> bool:
    """Whether ``actor`` already approved a step of the claim's current round (from
    ``history``, the claim's lines just read, when given; else one statement)."""
    if history is not None:
        return any(h.round == claim.round and h.action == "approved" and h.actor_id == actor.id
                   for h in history)
    return db.session.scalar(select(_approved_by(actor, claim.id, claim.round)))


def _check_decision(actor: User, claim: ExpenseClaim, step: str | None, expected_version):
    if claim.status != "pending":
        raise Conflict("This claim is not waiting for a decision.")
    if step is not None and step != claim.step:
        raise Conflict("This claim has moved on to another step.")
    if claim.owner_id == actor.id:
        raise Forbidden("Nobody can approve or pay their own claim.")
    if not _may_decide(actor, claim):
        raise Forbidden("This claim is waiting for someone else's decision.")
    if _approved_this_round(actor, claim):
        # Each step is a second pair of eyes: one person cannot be two of them.
        raise Forbidden("You already approved an earlier step of this claim; "
                        "someone else decides this one.")
    check_version(claim, expected_version)


def approve_claim(actor: User, claim: ExpenseClaim, comment: str | None = None,
                  step: str | None = None, expected_version=None) -> ExpenseClaim:
    _check_decision(actor, claim, step, expected_version)
    with _one_decision(claim):
        decided = claim.step
        history = _History(claim)
        history.add(decided, "approved", actor, comment)
        owner = db.session.get(User, claim.owner_id)
        _route(actor, claim, owner, decided, history)
        record_audit(actor, "expense_claim", claim.id, f"approved_{decided}",
                     {"status": ("pending", claim.status), "step": (decided, claim.step),
                      "comment": (None, comment)})
    return claim


def reject_claim(actor: User, claim: ExpenseClaim, reason: str, step: str | None = None,
                 expected_version=None) -> ExpenseClaim:
    """Back to the submitter as a draft, with the reason; at a step, or (cashier) when
    approved but not payable."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": ["Say why the claim is rejected."]})
    if claim.status == "approved" and actor.role in PAYERS:
        if claim.owner_id == actor.id:
            raise Forbidden("Nobody can approve or pay their own claim.")
        check_version(claim, expected_version)
        decided = "pay"
    else:
        _check_decision(actor, claim, step, expected_version)
        decided = claim.step
    with _one_decision(claim):
        old_status = claim.status
        history = _History(claim)
        history.add(decided, "rejected", actor, reason)
        claim.status, claim.step, claim.approver_id = "draft", None, None
        claim.rejected_reason = reason
        claim.approved_at = None
        _tell_submitter(claim, "expense_rejected", reason=reason)
        record_audit(actor, "expense_claim", claim.id, "rejected",
                     {"status": (old_status, "draft"), "step": (decided, None),
                      "reason": (None, reason)})
    return claim


def pay_claim(actor: User, claim: ExpenseClaim, reference: str,
              expected_version=None) -> ExpenseClaim:
    reference = (reference or "").strip()
    if not reference:
        raise Invalid({"reference": ["A payment reference is required."]})
    if claim.status != "approved":
        raise Conflict("Only an approved claim can be paid.")
    if claim.owner_id == actor.id:
        raise Forbidden("Nobody can approve or pay their own claim.")
    if actor.role not in PAYERS:
        raise Forbidden("Only a cashier can pay claims.")
    check_version(claim, expected_version)
    with _one_decision(claim):
        history = _History(claim)
        history.add("pay", "paid", actor, reference)
        claim.status, claim.paid_at, claim.paid_by_id = "paid", utcnow(), actor.id
        claim.payment_reference = reference
        _tell_submitter(claim, "expense_paid", reference=reference)
        record_audit(actor, "expense_claim", claim.id, "paid",
                     {"status": ("approved", "paid"), "payment_reference": (None, reference)})
    return claim


def batch_approve(actor: User, claim_ids: list[uuid.UUID]) -> list[dict]:
    """Approve several claims; each one on its own (a savepoint each), so one that moved on
    or is not yours to decide is reported and the others still go through."""
    results = []
    for claim_id in dict.fromkeys(claim_ids):   # each claim once: not two steps at a time
        try:
            with db.session.begin_nested():
                claim = get_claim(actor, claim_id)
                approve_claim(actor, claim)
            results.append({"id": claim_id, "status": 200, "claim_status": claim.status,
                            "step": claim.step})
        except (NotFound, Forbidden, Conflict) as exc:
            results.append({"id": claim_id, "status": exc.status, "message": exc.message})
    return results
