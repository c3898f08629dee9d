"""Fixtures for tests that run several Fieldline processes on one PostgreSQL: a migrated
database of its own, and PgBouncer in transaction mode in front of the run's server."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from app.push.vapid import new_key_pair
from tests.cluster.pgbouncer import ThrowawayPgBouncer, pgbouncer_bin

ROOT = Path(__file__).resolve().parents[2]
FIELDLINE = str(Path(sys.executable).parent / "fieldline")


def require_pgbouncer() -> None:
    """A skip when PgBouncer is not installed (``make test`` installs it, and there it must
    run: FIELDLINE_REQUIRE_POSTGRES=1 makes its absence a failure)."""
    if pgbouncer_bin() is None:
        if os.environ.get("FIELDLINE_REQUIRE_POSTGRES") == "1":
            pytest.fail("pgbouncer is not installed (scripts/install-system-deps.sh)")
        pytest.skip("pgbouncer is not installed")


@pytest.fixture(scope="session")
def pgbouncer(postgres):
    """PgBouncer (pool_mode=transaction) in front of the run's PostgreSQL."""
    require_pgbouncer()
    bouncer = ThrowawayPgBouncer(postgres.port)
    bouncer.start()
    yield bouncer
    bouncer.stop()


@pytest.fixture
def cluster_env(tmp_path):
    """What every process of one deployment shares: the secret key, the VAPID pair, where
    pushes may go (the local receiver), and no worker inside the web server."""
    private, public = new_key_pair()
    return {**os.environ, "SECRET_KEY": "cluster-test-secret", "VAPID_PRIVATE_KEY": private,
            "VAPID_PUBLIC_KEY": public, "PUSH_ENDPOINT_HOSTS": "127.0.0.1",
            "RECEIPTS_DIR": str(tmp_path / "receipts"), "FIELDLINE_EMBEDDED_WORKER": "0",
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


@pytest.fixture
def migrated_database(postgres, cluster_env):
    """A fresh database migrated by ``fieldline db upgrade``, as production builds it;
    returns its name."""
    name = f"fieldline_cluster_{uuid.uuid4().hex[:8]}"
    url = postgres.create_database(name)
    subprocess.run([FIELDLINE, "db", "upgrade"], cwd=ROOT, check=True, capture_output=True,
                   env={**cluster_env, "DATABASE_URL": url})
    return name
