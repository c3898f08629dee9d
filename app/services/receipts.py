"""Receipt files: checked by what they are (their first bytes), not by what they are called,
kept outside the static folder under random names, and handed out only through the API.
"""
import os
import secrets
import unicodedata
import uuid
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import ExpenseClaim, ExpenseReceipt, User
from app.models.base import utcnow
from app.services.audit import record_audit
from app.services.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from app.services.records import find_replay, new_id

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_CLAIM = 30
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
              "image/heic": "heic", "application/pdf": "pdf"}
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}


class TooLarge(ServiceError):
    status = 413


def sniff(head: bytes) -> str | None:
    """The content type the bytes really are, among the ones we accept (else None)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


# Invisible characters that reorder text (a "gpj.exe" shown as "exe.jpg"): never kept.
_BIDI = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_filename(filename: str | None) -> str | None:
    """The name a file had on the uploader's device, fit to store and show: its last path
    component (``/`` or Windows ``\\``), without control characters (NUL breaks
    PostgreSQL text), lone surrogates or direction overrides, at most 200 characters.
    None when nothing is left."""
    if not filename:
        return None
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name
                   if unicodedata.category(ch) not in ("Cc", "Cs") and ch not in _BIDI)
    name = name.strip()[:200].strip()
    return name if name not in ("", ".", "..") else None


def receipts_dir() -> Path:
    folder = Path(current_app.config.get("RECEIPTS_DIR")
                  or Path(current_app.instance_path) / "receipts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def path_of(receipt: ExpenseReceipt) -> Path:
    return receipts_dir() / receipt.storage_name


def add_receipt(actor: User, claim: ExpenseClaim, stream, filename: str | None,
                receipt_id: uuid.UUID | None = None) -> tuple[ExpenseReceipt, bool]:
    """Store an uploaded file for a draft claim. Returns (receipt, created)."""
    existing = find_replay(ExpenseReceipt, receipt_id,
                           lambda r: r.claim_id == claim.id and r.uploaded_by_id == actor.id)
    if existing is not None:
        return existing, False
    if claim.owner_id != actor.id:
        raise Forbidden("Only the submitter can change this claim.")
    if claim.status != "draft":
        raise Conflict("A submitted claim cannot be changed.")
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLarge("A receipt may be at most 10 MB.")
    if not data:
        raise Invalid({"file": ["The file is empty."]})
    content_type = sniff(data[:32])
    if content_type is None:
        raise Invalid({"file": ["Send a photo (JPEG, PNG, WebP, HEIC) or a PDF."]})
    count = db.session.scalar(select(db.func.count()).select_from(ExpenseReceipt)
                              .where(ExpenseReceipt.claim_id == claim.id))
    if count >= MAX_PER_CLAIM:
        raise Invalid({"file": ["A claim can have at most 30 receipts."]})
    storage_name = f"{secrets.token_urlsafe(24)}.{EXTENSIONS[content_type]}"
    path = receipts_dir() / storage_name
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    receipt = ExpenseReceipt(
        id=new_id(receipt_id), claim_id=claim.id, uploaded_by_id=actor.id,
        content_type=content_type, size=len(data), storage_name=storage_name,
        original_name=clean_filename(filename))
    db.session.add(receipt)
    try:
        _touch(claim)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    record_audit(actor, "expense_claim", claim.id, "receipt_added",
                 {"receipt_id": (None, receipt.id)})
    return receipt, True


def get_receipt(claim: ExpenseClaim, receipt_id: uuid.UUID) -> ExpenseReceipt:
    """A receipt of a claim the caller already may see (the claim was looked up scoped)."""
    receipt = db.session.scalar(select(ExpenseReceipt).where(
        ExpenseReceipt.id == receipt_id, ExpenseReceipt.claim_id == claim.id))
    if receipt is None:
        raise NotFound("Receipt not found.")
    return receipt


def delete_receipt(actor: User, claim: ExpenseClaim, receipt: ExpenseReceipt) -> Path:
    """Remove a receipt from a draft; returns the file to delete once committed."""
    if claim.owner_id != actor.id:
        raise Forbidden("Only the submitter can change this claim.")
    if claim.status != "draft":
        raise Conflict("A submitted claim cannot be changed.")
    path = path_of(receipt)
    db.session.delete(receipt)
    record_audit(actor, "expense_claim", claim.id, "receipt_removed",
                 {"receipt_id": (receipt.id, None)})
    _touch(claim)
    return path


def _touch(claim: ExpenseClaim) -> None:
    """Flush a receipt change together with a new version of its claim. The claim's
    versioned UPDATE only matches the version read with it as a draft: a submit that got
    there first makes it match nothing (409, nothing stored), and a submit still holding
    the old version conflicts in turn, so a receipt never lands on a submitted claim."""
    claim.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict("This claim was changed (or submitted) at the same moment. "
                       "Reload it and try again.") from None
