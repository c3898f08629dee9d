from app.models.activities import Activity
from app.models.audit import AuditEntry
from app.models.customers import Contact, Customer
from app.models.expenses import ExpenseClaim, ExpenseItem, ExpenseReceipt, ExpenseStep
from app.models.push import Notification, PushDelivery, PushSubscription
from app.models.settings import Setting
from app.models.users import ApiToken, Team, User, UserSession

__all__ = [
    "Activity", "ApiToken", "AuditEntry", "Contact", "Customer", "ExpenseClaim", "ExpenseItem",
    "ExpenseReceipt", "ExpenseStep", "Notification", "PushDelivery",
    "PushSubscription", "Setting", "Team", "User", "UserSession",
]
