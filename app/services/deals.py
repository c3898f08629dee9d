"""The pipeline: stages, products and their price tiers, opportunities with lines, and
moving a deal through its stages to won or lost."""
import uuid
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.auth.scoping import SEE_ALL, visible_customers, visible_opportunities
from app.extensions import db
from app.models import (
    Customer, Opportunity, OpportunityLine, PriceTier, Product, Stage, StageHistory, User,
)
from app.models.base import utcnow
from app.services.audit import record_audit
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.pagination import keyset_page
from app.services.records import (
    MONEY_MAX,
    apply_changes, check_version, find_replay, get_visible, new_id, resolve_owner, where_equal,
)
from app.services.settings import get_setting

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
DEFAULT_STAGES = (
    ("Qualification", 10, "open"), ("Needs analysis", 25, "open"), ("Proposal", 50, "open"),
    ("Negotiation", 75, "open"), ("Won", 100, "won"), ("Lost", 0, "lost"),
)
TERMINAL_POSITION = 10_000
REOPEN_ROLES = ("lead", "manager", "admin")
CATALOGUE_ROLES = ("manager", "admin")
OPPORTUNITY_FIELDS = ("name", "currency", "expected_close_date")


def money(value: Decimal) -> Decimal:
    """To cents, half-up (1.005 -> 1.01), as everywhere money is rounded."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(quantity: Decimal, unit_price: Decimal, discount_pct: Decimal) -> Decimal:
    """quantity x unit price less the discount, rounded once at the end."""
    return money(Decimal(quantity) * Decimal(unit_price) * (HUNDRED - Decimal(discount_pct))
                 / HUNDRED)


def tier_price(product: Product, tiers: list[PriceTier], quantity: Decimal) -> Decimal:
    """The unit price for ``quantity``: the tier with the largest ``min_qty`` reached."""
    reached = [t for t in tiers if t.min_qty <= quantity]
    if not reached:
        return product.unit_price
    return max(reached, key=lambda t: t.min_qty).unit_price


# Stages -------------------------------------------------------------------------------------

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


def _terminal_stage(kind: str) -> Stage:
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


def _open_stage(stage_id: uuid.UUID) -> Stage:
    stage = db.session.get(Stage, stage_id)
    if stage is None or not stage.active:
        raise Invalid({"stage_id": ["Unknown stage."]})
    if stage.kind != "open":
        raise Invalid({"stage_id": ["Use win or lose to close a deal."]})
    return stage


# Products -----------------------------------------------------------------------------------

def _require_catalogue(actor: User) -> None:
    if actor.role not in CATALOGUE_ROLES:
        raise Forbidden("Only a manager or an administrator can change products.")


def tiers_of(product_ids) -> dict:
    """{product_id: [tiers by min_qty]} in one query."""
    result = {pid: [] for pid in product_ids}
    if not result:
        return result
    for tier in db.session.scalars(select(PriceTier).where(PriceTier.product_id.in_(result))
                                   .order_by(PriceTier.min_qty)):
        result[tier.product_id].append(tier)
    return result


def with_tiers(products):
    tiers = tiers_of([p.id for p in products])
    for product in products:
        product.price_tiers = tiers[product.id]
    return products


def _set_tiers(product: Product, tiers: list[dict]) -> None:
    quantities = [tier["min_qty"] for tier in tiers]
    if len(set(quantities)) != len(quantities):
        raise Invalid({"price_tiers": ["Each minimum quantity only once."]})
    db.session.execute(delete(PriceTier).where(PriceTier.product_id == product.id))
    for tier in tiers:
        db.session.add(PriceTier(id=uuid.uuid4(), product_id=product.id,
                                 min_qty=tier["min_qty"], unit_price=tier["unit_price"]))


def list_products(q: str | None, limit: int, cursor: str | None):
    query = select(Product)
    if q and q.strip():
        term = q.strip()
        query = query.where(Product.name.icontains(term, autoescape=True)
                            | Product.sku.icontains(term, autoescape=True))
    rows, next_cursor = keyset_page(query, (Product.name, Product.id), limit, cursor)
    return with_tiers(list(rows)), next_cursor


def get_product(product_id: uuid.UUID) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound("Product not found.")
    return with_tiers([product])[0]


def create_product(actor: User, data: dict) -> tuple[Product, bool]:
    _require_catalogue(actor)
    existing = find_replay(Product, data.get("id"), lambda p: True)
    if existing is not None:
        return with_tiers([existing])[0], False
    if db.session.scalar(select(Product.id).where(Product.sku == data["sku"])) is not None:
        raise Invalid({"sku": ["Already in use."]})
    product = Product(id=new_id(data.get("id")), sku=data["sku"], name=data["name"],
                      unit_price=data["unit_price"], currency=data.get("currency") or "CNY",
                      active=data.get("active", True), version=1)
    db.session.add(product)
    db.session.flush()
    _set_tiers(product, data.get("price_tiers") or [])
    db.session.flush()
    return with_tiers([product])[0], True


def update_product(actor: User, product: Product, data: dict, expected_version=None):
    _require_catalogue(actor)
    check_version(product, expected_version)
    if "sku" in data and data["sku"] != product.sku and db.session.scalar(
            select(Product.id).where(Product.sku == data["sku"])) is not None:
        raise Invalid({"sku": ["Already in use."]})
    changes = apply_changes(product, data, ("sku", "name", "unit_price", "currency", "active"))
    if "price_tiers" in data:
        _set_tiers(product, data["price_tiers"])
        product.updated_at = utcnow()  # a new version of the product, tiers and all
    if changes or "price_tiers" in data:
        record_audit(actor, "product", product.id, "changed", changes)
        db.session.flush()
    return with_tiers([product])[0]


# Opportunities ------------------------------------------------------------------------------

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
    stage = _open_stage(data["stage_id"]) if data.get("stage_id") else first_open_stage()
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
        stage = _open_stage(data["stage_id"])
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
    _enter_stage(actor, opportunity, _terminal_stage("won"))
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
        raise Invalid({"reason": [f"Must be one of: {choices}."]})
    _check_open(opportunity)
    old_stage = opportunity.stage_id
    _enter_stage(actor, opportunity, _terminal_stage("lost"))
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
        stage = _open_stage(stage_id)
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


def decorate(rows) -> list[Opportunity]:
    """(opportunity, stage, customer name, owner name) rows -> opportunities carrying what
    the API shows (stage name, effective probability, names)."""
    result = []
    for opportunity, stage, customer_name, owner_name in rows:
        opportunity.stage_name = stage.name
        opportunity.probability = (opportunity.probability_override
                                   if opportunity.probability_override is not None
                                   else stage.probability)
        opportunity.customer_name = customer_name
        opportunity.owner_name = owner_name
        result.append(opportunity)
    return result


def _decorated(query):
    return (query.join(Stage, Stage.id == Opportunity.stage_id)
            .join(Customer, Customer.id == Opportunity.customer_id)
            .join(User, User.id == Opportunity.owner_id))


def _decorated_query(actor: User):
    return _decorated(visible_opportunities(
        select(Opportunity, Stage, Customer.name, User.name), actor))


def opportunity_detail(actor: User, opportunity_id: uuid.UUID) -> Opportunity:
    row = db.session.execute(_decorated_query(actor).where(Opportunity.id == opportunity_id)
                             ).first()
    if row is None:
        raise NotFound("Opportunity not found.")
    opportunity = decorate([row])[0]
    opportunity.lines = lines_of([opportunity.id])[opportunity.id]
    return opportunity


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
    return decorate(rows), next_cursor


def can_see_all(actor: User) -> bool:
    return actor.role in SEE_ALL
