"""Receipts: checked by content not name, size-limited, stored under random names outside
the static folder, and served only to people who may see the claim."""
import io
from pathlib import Path

import pytest

from app.models import ExpenseClaim, ExpenseReceipt
from tests.api.helpers import API, assert_error, count, reload
from tests.api.test_expenses import approve, make_claim

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40


@pytest.fixture(autouse=True)
def receipts_dir(app, tmp_path):
    before = app.config.get("RECEIPTS_DIR")
    app.config["RECEIPTS_DIR"] = str(tmp_path / "receipts")
    yield tmp_path / "receipts"
    app.config["RECEIPTS_DIR"] = before


def upload(client, claim, data, name="receipt.jpg", content_type="image/jpeg", **form):
    return client.post(f"{API}/expenses/{claim['id']}/receipts",
                       data={"file": (io.BytesIO(data), name, content_type), **form},
                       content_type="multipart/form-data", json=None)


def test_upload_and_serve_each_accepted_kind(world, client_for, receipts_dir):
    rep = client_for(world.rep_a1)
    claim = make_claim(rep, "12.00")
    for data, kind, ext in ((JPEG, "image/jpeg", "jpg"), (PNG, "image/png", "png"),
                            (PDF, "application/pdf", "pdf"), (WEBP, "image/webp", "webp"),
                            (HEIC, "image/heic", "heic")):
        response = upload(rep, claim, data, name=f"IMG_0001.{ext}", content_type="text/plain")
        assert response.status_code == 201, response.json
        receipt = response.json
        assert receipt["content_type"] == kind and receipt["size"] == len(data)
        served = rep.get(receipt["url"])
        assert served.status_code == 200
        assert served.data == data
        assert served.headers["Content-Type"] == kind
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        disposition = served.headers["Content-Disposition"]
        assert disposition.startswith("inline;") and f".{ext}" in disposition
        assert "IMG_0001" not in disposition
    stored = sorted(p.name for p in receipts_dir.iterdir())
    assert len(stored) == 5 and not any("IMG_0001" in name for name in stored)
    assert not any(p.suffix == ".part" for p in receipts_dir.iterdir())
    static = Path(__file__).resolve().parents[2] / "app" / "static"
    assert static not in receipts_dir.parents
    detail = rep.get(f"{API}/expenses/{claim['id']}").json
    assert len(detail["receipts"]) == 5


def test_wrong_type_renamed_to_jpg_is_refused(world, client_for, receipts_dir):
    rep = client_for(world.rep_a1)
    claim = make_claim(rep, "12.00")
    for data in (b"<html><script>alert(1)</script></html>", b"GIF89a" + b"\x00" * 50,
                 b"MZ\x90\x00" + b"\x00" * 60, b"PK\x03\x04" + b"\x00" * 60):
        assert_error(upload(rep, claim, data, name="photo.jpg"), 422, ["file"])
    assert count(ExpenseReceipt) == 0
    assert not receipts_dir.exists() or list(receipts_dir.iterdir()) == []


def test_oversize_is_413_and_empty_or_missing_is_422(world, client_for):
    rep = client_for(world.rep_a1)
    claim = make_claim(rep, "12.00")
    big = JPEG[:-2] + b"\x00" * (10 * 1024 * 1024 - len(JPEG) + 3)
    assert_error(upload(rep, claim, big), 413)
    at_limit = JPEG[:3] + b"\x00" * (10 * 1024 * 1024 - 3)
    assert upload(rep, claim, at_limit).status_code == 201
    assert_error(upload(rep, claim, b""), 422, ["file"])
    response = rep.post(f"{API}/expenses/{claim['id']}/receipts", data={},
                        content_type="multipart/form-data")
    assert_error(response, 422, ["file"], location="files")
    assert_error(upload(rep, claim, JPEG, id="not-a-uuid"), 422, ["id"], location="form")
    assert count(ExpenseReceipt) == 1


def test_replayed_upload_is_stored_once(world, client_for, new_id):
    rep = client_for(world.rep_a1)
    claim = make_claim(rep, "12.00")
    receipt_id = new_id()
    assert upload(rep, claim, JPEG, id=receipt_id).status_code == 201
    again = upload(rep, claim, JPEG, id=receipt_id)
    assert again.status_code == 200 and again.json["id"] == receipt_id
    assert count(ExpenseReceipt) == 1
    other_claim = make_claim(client_for(world.rep_b1), "1.00")
    assert_error(upload(client_for(world.rep_b1), other_claim, JPEG, id=receipt_id), 409)


def test_receipts_are_served_only_to_people_who_see_the_claim(world, client_for):
    rep, lead = client_for(world.rep_a1), client_for(world.lead_a)
    claim = make_claim(rep, "12.00")
    url = upload(rep, claim, JPEG).json["url"]
    mine = make_claim(client_for(world.rep_a2), "1.00")
    foreign = upload(client_for(world.rep_a2), mine, PNG).json
    for who in (world.rep_a2, world.lead_a, world.lead_b, world.manager, world.cashier):
        assert_error(client_for(who).get(url), 404)        # a draft is private
    # a receipt of another claim through my claim's URL: not found
    assert_error(rep.get(f"{API}/expenses/{claim['id']}/receipts/{foreign['id']}"), 404)
    rep.post(f"{API}/expenses/{claim['id']}/submit")
    assert lead.get(url).status_code == 200
    assert client_for(world.finance).get(url).status_code == 200
    for who in (world.rep_a2, world.lead_b, world.cashier):
        assert_error(client_for(who).get(url), 404)
    approved = approve(client_for(world.finance), approve(lead, {"id": claim["id"]}))
    assert approved["status"] == "approved"
    assert client_for(world.cashier).get(url).status_code == 200


def test_receipts_of_a_submitted_claim_cannot_change(world, client_for):
    rep = client_for(world.rep_a1)
    claim = make_claim(rep, "12.00")
    receipt = upload(rep, claim, JPEG).json
    rep.post(f"{API}/expenses/{claim['id']}/submit")
    assert_error(upload(rep, claim, PNG), 409)
    assert_error(rep.delete(receipt["url"]), 409)
    assert_error(upload(client_for(world.lead_a), claim, PNG), 403)
    assert count(ExpenseReceipt) == 1


def test_delete_a_receipt_from_a_draft(world, client_for, receipts_dir):
    rep = client_for(world.rep_a1)
    claim = make_claim(rep, "12.00")
    receipt = upload(rep, claim, JPEG).json
    assert len(list(receipts_dir.iterdir())) == 1
    assert rep.delete(receipt["url"]).status_code == 204
    assert reload(ExpenseReceipt, receipt["id"]) is None
    assert list(receipts_dir.iterdir()) == []
    assert_error(rep.get(receipt["url"]), 404)


def test_receipts_need_sign_in(world, client_for, anon):
    rep = client_for(world.rep_a1)
    claim = make_claim(rep, "12.00")
    url = upload(rep, claim, JPEG).json["url"]
    assert_error(anon.get(url), 401)
    assert_error(upload(anon, claim, JPEG), 401)


@pytest.mark.parametrize("sent, kept", [
    ("IMG\x00_0001.jpg", "IMG_0001.jpg"),
    ("\x01\x1f\x7fbill\u202egpj.exe", "billgpj.exe"),
    ("photos/发票.jpg", "发票.jpg"),
    ("../../etc/passwd", "passwd"),
    ("\x00\x00", None),
])
def test_the_original_name_is_cleaned_not_a_500(world, client_for, sent, kept):
    """A NUL in a multipart filename was a 500 on PostgreSQL (text cannot hold it)."""
    rep = client_for(world.rep_a1)
    claim = make_claim(rep, "12.00")
    response = upload(rep, claim, JPEG, name=sent)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["original_name"] == kept
    assert reload(ExpenseReceipt, response.json["id"]).original_name == kept


def test_clean_filename():
    from app.services.receipts import clean_filename

    assert clean_filename("a\ud800b.pdf") == "ab.pdf"          # a lone surrogate
    assert clean_filename("D:\\scans\\x\ty.png") == "xy.png"
    assert clean_filename("C:\\Users\\wang\\Pictures\\发票.jpg") == "发票.jpg"
    assert clean_filename("  ..  ") is None
    assert clean_filename("") is None and clean_filename(None) is None
    assert clean_filename("x" * 300 + ".jpg") == "x" * 200


def test_adding_or_removing_a_receipt_is_a_new_version_of_the_claim(world, client_for):
    """A submit made with the version read before a receipt changed is 412, not a claim
    submitted with receipts its submitter did not see."""
    rep = client_for(world.rep_a1)
    claim = make_claim(rep, "12.00")
    url = f"{API}/expenses/{claim['id']}"
    receipt = upload(rep, claim, JPEG).json
    assert rep.get(url).json["version"] == claim["version"] + 1
    assert_error(rep.post(f"{url}/submit", headers={"If-Match": f'"{claim["version"]}"'}), 412)
    assert rep.delete(receipt["url"]).status_code == 204
    assert rep.get(url).json["version"] == claim["version"] + 2
    again = upload(rep, claim, JPEG, id=receipt["id"])    # a new one with the same id
    assert again.status_code == 201


@pytest.mark.parametrize("change", ["add", "delete"])
def test_a_receipt_change_racing_a_submit_never_lands_on_the_submitted_claim(
        world, client_for, monkeypatch, receipts_dir, change):
    """Both requests read the claim as a draft before either writes (for real, in two
    threads): one of them wins, the other is 409, and the stored claim is consistent."""
    import threading

    from app.services import claim_approvals as approval_service
    from app.services import receipts as receipt_service

    rep_submit, rep_receipt = client_for(world.rep_a1), client_for(world.rep_a1)
    claim = make_claim(rep_submit, "12.00")
    existing = upload(rep_submit, claim, PNG).json if change == "delete" else None
    barrier = threading.Barrier(2, timeout=10)
    real_check, real_path = approval_service.check_version, receipt_service.path_of

    def submit_read(*args, **kwargs):
        real_check(*args, **kwargs)
        barrier.wait()

    def receipt_read(*args, **kwargs):
        barrier.wait()
        return real_path(*args, **kwargs)

    monkeypatch.setattr(approval_service, "check_version", submit_read)
    if change == "add":
        real_sniff = receipt_service.sniff

        def sniffed(head):
            barrier.wait()
            return real_sniff(head)
        monkeypatch.setattr(receipt_service, "sniff", sniffed)
    else:
        monkeypatch.setattr(receipt_service, "path_of", receipt_read)
    answers = {}

    def do_submit():
        answers["submit"] = rep_submit.post(f"{API}/expenses/{claim['id']}/submit")

    def do_receipt():
        answers["receipt"] = upload(rep_receipt, claim, JPEG) if change == "add" \
            else rep_receipt.delete(existing["url"])

    threads = [threading.Thread(target=do_submit), threading.Thread(target=do_receipt)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    codes = {k: a.status_code for k, a in answers.items()}
    assert sorted(codes.values())[-1] == 409 and sorted(codes.values())[0] < 300, \
        {k: a.get_data(as_text=True) for k, a in answers.items()}
    stored = reload(ExpenseClaim, claim["id"])
    receipts = count(ExpenseReceipt, ExpenseReceipt.claim_id == stored.id)
    before = 1 if change == "delete" else 0
    if codes["submit"] == 200:
        assert stored.status == "pending" and receipts == before
    else:
        assert stored.status == "draft" and receipts == (1 - before)
    if change == "add":   # the loser's file is not left behind
        assert len(list(receipts_dir.iterdir())) == receipts
