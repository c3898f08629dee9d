"""VAPID keys: generated and kept under instance/ for the embedded default, from the
environment in production, refused at start when they do not belong together."""
import json

import pytest

from app.config import load_config
from app.push.vapid import new_key_pair, public_key_of


def test_development_generates_a_pair_once_and_keeps_it(tmp_path, monkeypatch):
    monkeypatch.delenv("VAPID_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("VAPID_PUBLIC_KEY", raising=False)
    first = load_config(str(tmp_path), {"SECRET_KEY": "x"})
    again = load_config(str(tmp_path), {"SECRET_KEY": "x"})
    assert first["VAPID_PUBLIC_KEY"] == again["VAPID_PUBLIC_KEY"]
    assert public_key_of(first["VAPID_PRIVATE_KEY"]) == first["VAPID_PUBLIC_KEY"]
    stored = tmp_path / "vapid.json"
    assert json.loads(stored.read_text())["public_key"] == first["VAPID_PUBLIC_KEY"]
    assert stored.stat().st_mode & 0o777 == 0o600


def test_production_takes_them_from_the_environment(tmp_path, monkeypatch):
    private, public = new_key_pair()
    monkeypatch.setenv("FIELDLINE_ENV", "production")
    monkeypatch.setenv("VAPID_PRIVATE_KEY", private)
    monkeypatch.setenv("VAPID_PUBLIC_KEY", public)
    config = load_config(str(tmp_path), {"SECRET_KEY": "x"})
    assert (config["VAPID_PRIVATE_KEY"], config["VAPID_PUBLIC_KEY"]) == (private, public)
    assert not (tmp_path / "vapid.json").exists()
    # The public key can be left out: it follows from the private one.
    monkeypatch.delenv("VAPID_PUBLIC_KEY")
    assert load_config(str(tmp_path), {"SECRET_KEY": "x"})["VAPID_PUBLIC_KEY"] == public


def test_production_without_keys_has_push_off(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDLINE_ENV", "production")
    monkeypatch.delenv("VAPID_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("VAPID_PUBLIC_KEY", raising=False)
    config = load_config(str(tmp_path), {"SECRET_KEY": "x"})
    assert config["VAPID_PRIVATE_KEY"] is None and config["VAPID_PUBLIC_KEY"] is None


@pytest.mark.parametrize("private,public,message", [
    (None, "BAAA", "without VAPID_PRIVATE_KEY"),
    ("not-a-key!", None, "not a base64url P-256 private key"),
    (new_key_pair()[0], new_key_pair()[1], "does not belong"),
], ids=["no private key", "not a key", "two pairs' halves"])  # fixed ids: the same in every worker
def test_keys_that_cannot_work_stop_the_start(tmp_path, monkeypatch, private, public, message):
    monkeypatch.setenv("FIELDLINE_ENV", "production")
    for name, value in (("VAPID_PRIVATE_KEY", private), ("VAPID_PUBLIC_KEY", public)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=message):
        load_config(str(tmp_path), {"SECRET_KEY": "x"})


def test_web_and_worker_starting_together_share_one_pair(tmp_path):
    """Processes racing to make instance/vapid.json all end up with the same pair."""
    import multiprocessing

    from app.push.vapid import instance_key_pair

    with multiprocessing.get_context("fork").Pool(4) as pool:
        pairs = pool.map(instance_key_pair, [tmp_path] * 8)
    assert len(set(pairs)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["vapid.json"]
