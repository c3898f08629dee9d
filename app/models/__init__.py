from app.models.activities import Activity
from app.models.audit import AuditEntry
from app.models.customers import Contact, Customer, CustomerRemoval
from app.models.deals import (
    Opportunity, OpportunityLine, PriceTier, Product, Stage, StageHistory,
)
from app.models.expenses import ExpenseClaim, ExpenseItem, ExpenseReceipt, ExpenseStep
from app.models.leads import Lead
from app.models.orders import OrderCounter, OrderLine, Payment, SalesOrder
from app.models.plans import DayPlan, PlanStop, SavedPlace
from app.models.push import Notification, PushDelivery, PushSubscription
from app.models.rollups import ActivityDaily, FunnelDaily
from app.models.search import contact_search, customer_search, lead_search
from app.models.settings import Setting
from app.models.targets import Target
from app.models.users import ApiToken, Team, User, UserSession

__all__ = [
    "Activity", "ActivityDaily", "FunnelDaily", "ApiToken", "AuditEntry", "Contact", "Customer",
    "CustomerRemoval", "DayPlan", "PlanStop", "SavedPlace",
    "ExpenseClaim", "ExpenseItem", "ExpenseReceipt", "ExpenseStep", "Lead", "Notification",
    "Opportunity", "OpportunityLine", "OrderCounter", "OrderLine", "Payment", "PriceTier",
    "Product", "PushDelivery", "PushSubscription", "SalesOrder", "Setting", "Stage",
    "StageHistory", "Target", "Team", "User", "UserSession", "contact_search", "customer_search",
    "lead_search",
]
