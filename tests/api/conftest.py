"""API-test fixtures on top of tests/conftest.py."""
import functools

import pytest
from werkzeug.security import generate_password_hash

from app.services import users as user_service


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch):
    """Store test passwords with a cheap PBKDF2 hash instead of scrypt (~130 ms each).

    Only the cost changes: hashing and checking are the real werkzeug code paths (the
    stored hash names its method), so sign-in still verifies real hashes. Without this,
    every ``world`` (nine users) and every sign-in would dominate the suite's run time.
    """
    monkeypatch.setattr(user_service, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1"))
