"""The demo company's sales: products with price tiers, the default pipeline, leads (some
in the pool, some owned) and deals (open, won with orders and payments, lost).

Everything goes through the services, with fixed ids (``demo_id``), so a second load finds
the first product and changes nothing. Called from ``app.demo.company``: inside the demo company's
one transaction on a fresh load, and on its own for a demo loaded before sales existed.
"""
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Customer, Product, User
from app.services import catalogue as catalogue_service
from app.services import opportunities as opportunity_service
from app.services import pipeline as pipeline_service
from app.services import leads as lead_service
from app.services import orders as order_service

PRODUCTS = (
    # sku, name, unit price, tiers (min qty, unit price)
    ("FL-PUMP-200", "Centrifugal pump CP-200", "4800.00", (("5", "4560.00"), ("20", "4320.00"))),
    ("FL-VALVE-50", "Ball valve DN50 不锈钢球阀", "320.00", (("50", "300.00"), ("200", "280.00"))),
    ("FL-SENSOR-P", "Pressure sensor PS-10", "1150.00", (("10", "1080.00"),)),
    ("FL-SVC-INST", "On-site installation 上门安装", "2000.00", ()),
    ("FL-SVC-CARE", "Annual service plan 年度维保", "6800.00", (("3", "6400.00"),)),
)

POOL_LEADS = (
    # name, company, phone, email, city, source
    ("周杰", "杭州宏达机电有限公司", "13905710001", "zhoujie@hongda-me.cn", "Hangzhou",
     "trade_show"),
    ("Amy Xu", "Bright Star Packaging Ltd.", "13805120002", "amy.xu@brightstar-pack.com",
     "Suzhou", "website"),
    ("吴磊", "宁波港通物流", "13605740003", None, "Ningbo", "cold_call"),
    ("Tony Lam", "Pearl River Textiles", "13902000004", "tony@prtextiles.com", "Guangzhou",
     "referral"),
    ("郑敏", "深圳新源电子科技有限公司", None, "zhengmin@xinyuan-tech.cn", "Shenzhen", "website"),
    ("Grace Ho", "Harbour Foods Xiamen", "13805920006", "grace.ho@harbourfoods.cn", "Xiamen",
     "partner"),
)
OWNED_LEAD_NAMES = ("陈刚", "Lily Wang", "赵强", "Peter Lu", "林静", "Jason Ma", "何平",
                    "Sophie Li", "马超", "Helen Zhou", "邓超", "Ivy Sun", "罗军", "Oscar Tan")
OWNED_LEAD_COMPANIES = ("华鑫精密制造", "Everbright Plastics", "长江化工设备", "Summit Robotics",
                        "东方食品机械", "Vertex Instruments", "金源水处理")
REPS = ("rep1", "rep2", "rep3", "rep4", "rep5", "rep6", "rep7")
SOURCES = ("referral", "trade_show", "website", "inbound_call", "partner", "cold_call")


def sales_loaded(demo_id) -> bool:
    return db.session.get(Product, demo_id("product", PRODUCTS[0][0])) is not None


def load_sales(people: dict[str, User], demo_id, now: datetime) -> dict:
    """Products, stages, leads and deals for the demo company (caller commits)."""
    admin = people["admin"]
    pipeline_service.ensure_default_stages()
    products = []
    for sku, name, price, tiers in PRODUCTS:
        product, _ = catalogue_service.create_product(admin, {
            "id": demo_id("product", sku), "sku": sku, "name": name,
            "unit_price": Decimal(price), "currency": "CNY",
            "price_tiers": [{"min_qty": Decimal(q), "unit_price": Decimal(p)}
                            for q, p in tiers]})
        products.append(product)

    leads = 0
    for i, (name, company, phone, email, city, source) in enumerate(POOL_LEADS):
        lead_service.create_lead(admin, {
            "id": demo_id("lead", "pool", i), "name": name, "company": company,
            "phone": phone, "email": email, "city": city, "source": source, "pool": True})
        leads += 1
    for i, name in enumerate(OWNED_LEAD_NAMES):
        owner = people[REPS[i % len(REPS)]]
        lead_service.create_lead(owner, {
            "id": demo_id("lead", "owned", i), "name": name,
            "company": f"{OWNED_LEAD_COMPANIES[i % len(OWNED_LEAD_COMPANIES)]} {i + 1}",
            "phone": f"1370000{i:04d}", "source": SOURCES[i % len(SOURCES)]})
        leads += 1

    stages = {s.name: s for s in pipeline_service.list_stages(50, None)[0]}
    open_stages = [stages[n] for n in ("Qualification", "Needs analysis", "Proposal",
                                       "Negotiation")]
    counts = {"open": 0, "won": 0, "lost": 0, "orders": 0, "payments": 0}
    for r, rep_key in enumerate(REPS):
        rep = people[rep_key]
        customers = db.session.scalars(
            select(Customer).where(Customer.owner_id == rep.id)
            .order_by(Customer.name_norm, Customer.id).limit(5)).all()
        for c, customer in enumerate(customers):
            product = products[(r + c) % 3]
            quantity = Decimal([2, 6, 25, 1, 12][c])
            lines = [{"product_id": product.id, "quantity": quantity,
                      "discount_pct": Decimal([0, 5, 0, 10, 2.5][c]).quantize(Decimal("0.01"))},
                     {"product_id": products[3].id, "quantity": Decimal(1)}]
            opportunity, _ = opportunity_service.create_opportunity(rep, {
                "id": demo_id("opportunity", rep_key, c), "customer_id": customer.id,
                "name": f"{product.name} × {quantity:g}",
                "expected_close_date": (now + timedelta(days=12 + 9 * c + r)).date(),
                "lines": lines})
            if c < 3:  # open, spread over the stages
                stage = open_stages[(r + c) % len(open_stages)]
                if stage.id != opportunity.stage_id:
                    opportunity_service.update_opportunity(rep, opportunity, {"stage_id": stage.id})
                counts["open"] += 1
            elif c == 3:  # won, an order, paid in part or in full
                _, order = opportunity_service.win_opportunity(rep, opportunity)
                counts["won"] += 1
                counts["orders"] += 1
                finance = people["finance"]
                part = (order.total / 2).quantize(Decimal("0.01"))
                order_service.add_payment(finance, order, {
                    "id": demo_id("payment", rep_key, 1), "amount": part,
                    "method": "bank_transfer", "reference": f"TT-{r + 1:03d}",
                    "received_at": now - timedelta(days=2)})
                counts["payments"] += 1
                if r % 2 == 0:
                    order_service.add_payment(finance, order, {
                        "id": demo_id("payment", rep_key, 2), "amount": order.total - part,
                        "method": "bank_transfer", "reference": f"TT-{r + 1:03d}-2",
                        "received_at": now - timedelta(days=1)})
                    counts["payments"] += 1
            else:  # lost
                opportunity_service.lose_opportunity(rep, opportunity, "Price",
                                              "Went with a cheaper offer.")
                counts["lost"] += 1
    db.session.flush()
    return {"leads": leads, "products": len(products), **counts}
