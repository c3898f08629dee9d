"""The devices a user turned reminders on for (Web Push subscriptions)."""
import base64
import binascii
import hashlib
import ipaddress
import uuid
from urllib.parse import urlsplit

from sqlalchemy import select

from app.extensions import db
from app.models import PushSubscription, User
from app.models.base import utcnow
from app.services.errors import Conflict, Invalid, NotFound
from app.services.notifications import notify
from app.services.pagination import keyset_page

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


def _b64url_bytes(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _allowed_host(host: str, allowed_hosts) -> bool:
    return any(host == allowed or host.endswith("." + allowed) for allowed in allowed_hosts)


def check_subscription(endpoint: str, p256dh: str, auth: str, allowed_hosts) -> None:
    """A subscription the worker can send to: an https endpoint of a known push service
    (the worker must not be talked into POSTing to arbitrary addresses) and keys of the
    right shape (an uncompressed P-256 point, a 16-byte auth secret)."""
    errors = {}
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    loopback = host in LOOPBACK_HOSTS and host in allowed_hosts
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        errors["endpoint"] = ["The endpoint must be an https URL of a push service."]
    elif not host or not _allowed_host(host, allowed_hosts) or _is_ip(host) and not loopback:
        errors["endpoint"] = ["This push service is not accepted."]
    key = _b64url_bytes(p256dh)
    if key is None or len(key) != 65 or key[0] != 4:
        errors.setdefault("keys", {})["p256dh"] = ["Not a P-256 public key."]
    secret = _b64url_bytes(auth)
    if secret is None or len(secret) != 16:
        errors.setdefault("keys", {})["auth"] = ["Not a 16-byte auth secret."]
    if errors:
        raise Invalid(errors)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def save_subscription(actor: User, data: dict, allowed_hosts,
                      user_agent: str | None) -> tuple[PushSubscription, bool]:
    """Store this device for ``actor``. The same browser subscribing again updates its keys;
    a browser last used by someone else now reminds the person signed in on it.
    Returns (subscription, created)."""
    endpoint, keys = data["endpoint"], data["keys"]
    check_subscription(endpoint, keys["p256dh"], keys["auth"], allowed_hosts)
    key = endpoint_hash(endpoint)
    values = {"user_id": actor.id, "p256dh": keys["p256dh"], "auth": keys["auth"],
              "user_agent": (user_agent or "")[:255] or None}
    subscription = db.session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint_hash == key))
    created = subscription is None
    if created:
        subscription = PushSubscription(id=uuid.uuid4(), endpoint=endpoint, endpoint_hash=key,
                                        **values)
        db.session.add(subscription)
    else:
        for name, value in values.items():
            setattr(subscription, name, value)
    db.session.flush()
    return subscription, created


def remove_subscription(actor: User, endpoint: str) -> None:
    subscription = db.session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint_hash == endpoint_hash(endpoint),
                                       PushSubscription.user_id == actor.id))
    if subscription is None:
        raise NotFound("This device is not subscribed.")
    db.session.delete(subscription)
    db.session.flush()


def remove_device(actor: User, subscription_id: uuid.UUID) -> None:
    subscription = db.session.get(PushSubscription, subscription_id)
    if subscription is None or subscription.user_id != actor.id:
        raise NotFound("This device is not subscribed.")
    db.session.delete(subscription)
    db.session.flush()


def list_devices(actor: User, limit: int, cursor: str | None):
    query = select(PushSubscription).where(PushSubscription.user_id == actor.id)
    return keyset_page(query, (PushSubscription.created_at, PushSubscription.id), limit, cursor)


def send_test(actor: User) -> int:
    """A test notice to each of the actor's devices, now (quiet hours or not): at most one
    a minute. Returns how many devices it goes to."""
    devices = db.session.scalars(
        select(PushSubscription.id).where(PushSubscription.user_id == actor.id)).all()
    if not devices:
        raise Conflict("Turn on reminders on this device first.")
    minute = utcnow().replace(second=0, microsecond=0)
    notify(actor.id, "test", url="/settings", dedupe_key=f"test:{actor.id}:{minute:%Y%m%d%H%M}",
           mind_quiet_hours=False)
    db.session.flush()
    return len(devices)


