"""One Web Push request with pywebpush, and what its answer means for the delivery."""
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import requests
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from app.models.base import utcnow

GONE = (404, 410)  # the subscription no longer exists: forget it
RETRY = (408, 425, 429, 500, 502, 503, 504)


@dataclass
class SendResult:
    outcome: str  # "sent", "gone", "retry", "failed"
    status_code: int | None = None
    retry_after: float | None = None  # seconds, from the push service's Retry-After
    error: str | None = None


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


class Sender:
    """Sends to push services with the server's VAPID key; one per worker (it keeps a
    connection pool and the parsed key)."""

    def __init__(self, private_key: str, subject: str, timeout: float = 10.0):
        self.vapid = Vapid02.from_string(private_key)
        self.subject = subject
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # never route pushes through a proxy from the env

    def send(self, subscription: dict, payload: str, *, ttl: int, urgency: str) -> SendResult:
        try:
            response = webpush(
                subscription, payload, vapid_private_key=self.vapid,
                # webpush() writes aud and exp into this dict: a fresh one every time.
                vapid_claims={"sub": self.subject}, ttl=ttl, timeout=self.timeout,
                headers={"Urgency": urgency}, requests_session=self.session)
        except WebPushException as exc:
            if exc.response is None:
                return SendResult("retry", error=str(exc)[:300])
            return self._refused(exc.response)
        except requests.RequestException as exc:  # timeout, refused connection, DNS
            return SendResult("retry", error=f"{type(exc).__name__}: {exc}"[:300])
        return SendResult("sent", status_code=response.status_code)

    @staticmethod
    def _refused(response) -> SendResult:
        code = response.status_code
        text = f"{code} {response.reason or ''} {response.text[:200]}".strip()
        if code in GONE:
            return SendResult("gone", code, error=text)
        if code in RETRY:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            return SendResult("retry", code, wait, error=text)
        return SendResult("failed", code, error=text)
