"""Opportunities (the API's "deals"): their lines, and moving one through the pipeline's
stages to won or lost."""
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, select

from app.services.scoping import visible_customers, visible_opportunities
from app.extensions import db
from app.models import (
    Activity, Contact, Customer, Opportunity, OpportunityLine, Product, Stage, StageHistory, User,
)
from app.models.base import utcnow
from app.models.customers import CONTACT_ROLES
from app.services.audit import record_audit
from app.services.catalogue import line_total, tier_price, tiers_of
from app.services.errors import Conflict, Forbidden, Invalid, NotFound, Text
from app.services.pagination import keyset_page
from app.services.pipeline import first_open_stage, open_stage, terminal_stage
from app.services.records import (
    MONEY_MAX,
    apply_changes, check_version, find_replay, get_visible, money, new_id, resolve_owner,
    where_equal,
)
from app.services.settings import get_setting

REOPEN_ROLES = ("lead", "manager", "admin")
# The buying roles a deal should reach (contacts' roles but "other"), in the order shown.
DEAL_ROLES = tuple(role for role in CONTACT_ROLES if role != "other")
OPPORTUNITY_FIELDS = ("name", "currency", "expected_close_date")


def get_opportunity(actor: User, opportunity_id: uuid.UUID) -> Opportunity:
    return get_visible(Opportunity, visible_opportunities, actor, opportunity_id, "Opportunity")


def _build_lines(opportunity: Opportunity, lines: list[dict]) -> list[OpportunityLine]:
    product_ids = {line["product_id"] for line in lines if line.get("product_id")}
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_(product_ids)))} if product_ids else {}
    tiers = tiers_of(products)
    built, errors = [], {}
    for position, line in enumerate(lines):
        product = products.get(line.get("product_id")) if line.get("product_id") else None
        if line.get("product_id") and product is None:
            errors[str(position)] = {"product_id": ["Unknown product."]}
            continue
        if product is not None and product.currency != opportunity.currency:
            errors[str(position)] = {"product_id": ["The product is priced in another currency."]}
            continue
        unit_price = line.get("unit_price")
        overridden = unit_price is not None
        if unit_price is None:
            if product is None:
                errors[str(position)] = {"unit_price": ["Give a unit price or a product."]}
                continue
            unit_price = tier_price(product, tiers[product.id], line["quantity"])
        discount = line.get("discount_pct") or Decimal(0)
        if line_total(line["quantity"], unit_price, discount) > MONEY_MAX:
            errors[str(position)] = {"quantity": ["This line's total is too large."]}
            continue
        built.append(OpportunityLine(
            id=uuid.uuid4(), opportunity_id=opportunity.id, position=position,
            product_id=product.id if product else None,
            description=line.get("description") or (product.name if product else None),
            quantity=line["quantity"], unit_price=unit_price, price_overridden=overridden,
            discount_pct=discount, line_total=line_total(line["quantity"], unit_price, discount)))
    if errors:
        raise Invalid({"lines": errors})
    return built


def _replace_lines(opportunity: Opportunity, lines: list[dict]) -> list[OpportunityLine]:
    built = _build_lines(opportunity, lines)
    if sum((line.line_total for line in built), Decimal(0)) > MONEY_MAX:
        raise Invalid({"lines": ["Together the lines are more than an amount can be."]})
    db.session.execute(delete(OpportunityLine)
                       .where(OpportunityLine.opportunity_id == opportunity.id))
    db.session.add_all(built)
    if built:
        opportunity.amount = money(sum((line.line_total for line in built), Decimal(0)))
    return built


def _enter_stage(actor: User | None, opportunity: Opportunity, stage: Stage) -> None:
    """Close the open history row and open one for ``stage``."""
    now = utcnow()
    # Through the session, not an UPDATE statement: the funnel rollup sees the stay end in
    # the same flush as the new stay (services.funnel_rollups).
    for stay in db.session.scalars(select(StageHistory).where(
            StageHistory.opportunity_id == opportunity.id, StageHistory.left_at.is_(None))):
        stay.left_at = now
    db.session.add(StageHistory(id=uuid.uuid4(), opportunity_id=opportunity.id,
                                stage_id=stage.id, entered_at=now,
                                actor_id=actor.id if actor else None))
    opportunity.stage_id = stage.id


def _customer_for(actor: User, customer_id: uuid.UUID) -> Customer:
    customer = db.session.scalar(
        visible_customers(select(Customer), actor).where(Customer.id == customer_id))
    if customer is None:
        raise Invalid({"customer_id": ["Unknown customer."]})
    return customer


def create_opportunity(actor: User, data: dict) -> tuple[Opportunity, bool]:
    existing = find_replay(
        Opportunity, data.get("id"),
        lambda o: db.session.scalar(visible_opportunities(select(Opportunity.id), actor)
                                    .where(Opportunity.id == o.id)) is not None)
    if existing is not None:
        return existing, False
    customer = _customer_for(actor, data["customer_id"])
    owner = resolve_owner(actor, data.get("owner_id"))
    stage = open_stage(data["stage_id"]) if data.get("stage_id") else first_open_stage()
    opportunity = Opportunity(
        id=new_id(data.get("id")), customer_id=customer.id, owner_id=owner.id,
        stage_id=stage.id, name=data["name"], currency=data.get("currency") or "CNY",
        amount=money(data.get("amount") or Decimal(0)),
        probability_override=data.get("probability"),
        expected_close_date=data.get("expected_close_date"), status="open", version=1)
    db.session.add(opportunity)
    db.session.flush()
    _enter_stage(actor, opportunity, stage)
    if data.get("lines"):
        _replace_lines(opportunity, data["lines"])
    db.session.flush()
    record_audit(actor, "opportunity", opportunity.id, "created",
                 {"stage_id": (None, stage.id), "amount": (None, opportunity.amount)})
    return opportunity, True


def _check_open(opportunity: Opportunity) -> None:
    if opportunity.status != "open":
        raise Conflict("This deal is closed; reopen it first.")


def update_opportunity(actor: User, opportunity: Opportunity, data: dict,
                       expected_version=None) -> Opportunity:
    check_version(opportunity, expected_version)
    _check_open(opportunity)
    changes = apply_changes(opportunity, data, OPPORTUNITY_FIELDS)
    if "customer_id" in data and data["customer_id"] != opportunity.customer_id:
        changes["customer_id"] = (opportunity.customer_id,
                                  _customer_for(actor, data["customer_id"]).id)
        opportunity.customer_id = changes["customer_id"][1]
    if "owner_id" in data and data["owner_id"] != opportunity.owner_id:
        owner = resolve_owner(actor, data["owner_id"])
        changes["owner_id"] = (opportunity.owner_id, owner.id)
        opportunity.owner_id = owner.id
        record_audit(actor, "opportunity", opportunity.id, "owner_changed",
                     {"owner_id": changes["owner_id"]})
    if "probability" in data and data["probability"] != opportunity.probability_override:
        changes["probability"] = (opportunity.probability_override, data["probability"])
        opportunity.probability_override = data["probability"]
    if "stage_id" in data and data["stage_id"] != opportunity.stage_id:
        stage = open_stage(data["stage_id"])
        changes["stage_id"] = (opportunity.stage_id, stage.id)
        _enter_stage(actor, opportunity, stage)
        record_audit(actor, "opportunity", opportunity.id, "stage_changed",
                     {"stage_id": changes["stage_id"]})
    if "lines" in data:
        old_amount = opportunity.amount
        _replace_lines(opportunity, data["lines"])
        changes["lines"] = (None, len(data["lines"]))
        if old_amount != opportunity.amount:
            changes["amount"] = (old_amount, opportunity.amount)
    elif "amount" in data and not lines_of([opportunity.id])[opportunity.id]:
        if money(data["amount"]) != opportunity.amount:
            changes["amount"] = (opportunity.amount, money(data["amount"]))
            opportunity.amount = money(data["amount"])
    if changes:
        # Also when only the lines changed: the deal row is updated, so its version moves.
        opportunity.updated_at = utcnow()
        db.session.flush()
    return opportunity


def win_opportunity(actor: User, opportunity: Opportunity, expected_version=None):
    """Won, and its sales order made from the lines, in the caller's one transaction."""
    from app.services.orders import create_order_for

    check_version(opportunity, expected_version)
    _check_open(opportunity)
    old_stage = opportunity.stage_id
    _enter_stage(actor, opportunity, terminal_stage("won"))
    opportunity.status, opportunity.closed_at = "won", utcnow()
    opportunity.probability_override = None
    db.session.flush()
    order = create_order_for(actor, opportunity, lines_of([opportunity.id])[opportunity.id])
    record_audit(actor, "opportunity", opportunity.id, "won",
                 {"status": ("open", "won"), "stage_id": (old_stage, opportunity.stage_id),
                  "order": (None, order.number)})
    return opportunity, order


def lose_opportunity(actor: User, opportunity: Opportunity, reason: str | None,
                     note: str | None, expected_version=None) -> Opportunity:
    check_version(opportunity, expected_version)
    reasons = list(get_setting("lose_reasons"))
    if not reason:
        raise Invalid({"reason": ["Say why the deal was lost."]})
    if reason not in reasons:
        choices = ", ".join(reasons)
        raise Invalid({"reason": [Text("Must be one of: {choices}.", choices=choices)]})
    _check_open(opportunity)
    old_stage = opportunity.stage_id
    _enter_stage(actor, opportunity, terminal_stage("lost"))
    opportunity.status, opportunity.closed_at = "lost", utcnow()
    opportunity.lost_reason, opportunity.lost_note = reason, note
    record_audit(actor, "opportunity", opportunity.id, "lost",
                 {"status": ("open", "lost"), "stage_id": (old_stage, opportunity.stage_id),
                  "lost_reason": (None, reason)})
    db.session.flush()
    return opportunity


def reopen_opportunity(actor: User, opportunity: Opportunity, stage_id=None,
                       expected_version=None) -> Opportunity:
    """A lost deal back in the pipeline (team lead, manager, admin), at the stage it was
    lost from unless another is named."""
    if actor.role not in REOPEN_ROLES:
        raise Forbidden("Only a team lead, a manager or an administrator can reopen a deal.")
    check_version(opportunity, expected_version)
    if opportunity.status != "lost":
        raise Conflict("Only a lost deal can be reopened.")
    if stage_id is not None:
        stage = open_stage(stage_id)
    else:
        stage = db.session.scalar(
            select(Stage).join(StageHistory, StageHistory.stage_id == Stage.id)
            .where(StageHistory.opportunity_id == opportunity.id, Stage.kind == "open",
                   Stage.active.is_(True))
            .order_by(StageHistory.entered_at.desc()).limit(1)) or first_open_stage()
    old_stage = opportunity.stage_id
    _enter_stage(actor, opportunity, stage)
    opportunity.status, opportunity.closed_at = "open", None
    old_reason = opportunity.lost_reason
    opportunity.lost_reason = opportunity.lost_note = None
    record_audit(actor, "opportunity", opportunity.id, "reopened",
                 {"status": ("lost", "open"), "stage_id": (old_stage, stage.id),
                  "lost_reason": (old_reason, None)})
    db.session.flush()
    return opportunity


def lines_of(opportunity_ids) -> dict:
    result = {oid: [] for oid in opportunity_ids}
    if not result:
        return result
    for line in db.session.scalars(
            select(OpportunityLine).where(OpportunityLine.opportunity_id.in_(result))
            .order_by(OpportunityLine.position)):
        result[line.opportunity_id].append(line)
    return result


@dataclass(frozen=True)
class OpportunityRead:
    """An opportunity as the API shows it: its columns, its stage's name, the effective
    probability (its own, else its stage's), its customer's and owner's names, and (one
    opportunity's detail only) its lines."""

    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime
    customer_id: uuid.UUID
    customer_name: str
    name: str
    amount: Decimal
    currency: str
    stage_id: uuid.UUID
    stage_name: str
    probability: int
    probability_override: int | None
    expected_close_date: date | None
    owner_id: uuid.UUID
    owner_name: str
    status: str
    lost_reason: str | None
    lost_note: str | None
    closed_at: datetime | None
    lines: list[OpportunityLine] | None = None
    roles: dict | None = None


def _reads(rows, lines: dict | None = None) -> list[OpportunityRead]:
    """(opportunity, stage, customer name, owner name) rows -> read models."""
    return [OpportunityRead(
        id=o.id, version=o.version, created_at=o.created_at, updated_at=o.updated_at,
        customer_id=o.customer_id, customer_name=customer_name, name=o.name, amount=o.amount,
        currency=o.currency, stage_id=o.stage_id, stage_name=stage.name,
        probability=(o.probability_override if o.probability_override is not None
                     else stage.probability),
        probability_override=o.probability_override,
        expected_close_date=o.expected_close_date, owner_id=o.owner_id, owner_name=owner_name,
        status=o.status, lost_reason=o.lost_reason, lost_note=o.lost_note,
        closed_at=o.closed_at, lines=lines[o.id] if lines is not None else None)
        for o, stage, customer_name, owner_name in rows]


def _decorated(query):
    return (query.join(Stage, Stage.id == Opportunity.stage_id)
            .join(Customer, Customer.id == Opportunity.customer_id)
            .join(User, User.id == Opportunity.owner_id))


def _decorated_query(actor: User):
    return _decorated(visible_opportunities(
        select(Opportunity, Stage, Customer.name, User.name), actor))


def roles_of(opportunity: Opportunity) -> dict:
    """Which of the buying roles the deal has touched: the roles of its customer's contacts
    with an activity since the deal was opened (one statement: the customer's contacts,
    each with one probe of ix_activities_contact_occurred), and the ones still missing."""
    talked_to = (select(Activity.id)
                 .where(Activity.contact_id == Contact.id, Activity.deleted_at.is_(None),
                        Activity.occurred_at >= opportunity.created_at)
                 .exists())
    touched = set(db.session.scalars(
        select(Contact.role).distinct()
        .where(Contact.customer_id == opportunity.customer_id, Contact.deleted_at.is_(None),
               Contact.role.in_(DEAL_ROLES), talked_to)))
    return {"touched": [role for role in DEAL_ROLES if role in touched],
            "missing": [role for role in DEAL_ROLES if role not in touched]}


def opportunity_detail(actor: User, opportunity_id: uuid.UUID) -> OpportunityRead:
    row = db.session.execute(_decorated_query(actor).where(Opportunity.id == opportunity_id)
                             ).first()
    if row is None:
        raise NotFound("Opportunity not found.")
    read = _reads([row], lines_of([opportunity_id]))[0]
    return replace(read, roles=roles_of(row[0]))


def list_opportunities(actor: User, filters: dict, limit: int, cursor: str | None):
    in_scope = visible_opportunities(select(Opportunity.id), actor)
    in_scope = where_equal(in_scope, Opportunity, filters,
                           ("status", "stage_id", "customer_id", "owner_id"))
    if filters.get("q"):
        in_scope = in_scope.where(
            Opportunity.name.icontains(filters["q"].strip(), autoescape=True))
    query = _decorated(select(Opportunity, Stage, Customer.name, User.name))
    rows, next_cursor = keyset_page(query, (Opportunity.created_at, Opportunity.id), limit,
                                    cursor, descending=True, among=in_scope)
    return _reads(rows), next_cursor
