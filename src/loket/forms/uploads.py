"""Receiving files safely: type decided by content, names sanitised, random storage names."""

from __future__ import annotations

import errno
import hashlib
import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from loket.core.models import User
from loket.forms.models import Attachment
from loket.forms.photos import NotAnImage, strip_metadata

log = logging.getLogger("loket.forms.uploads")


@dataclass(frozen=True)
class FileKind:
    key: str
    content_type: str
    extension: str
    magic: tuple[bytes, ...]


KINDS = (
    FileKind("pdf", "application/pdf", "pdf", (b"%PDF-",)),
    FileKind("jpeg", "image/jpeg", "jpg", (b"\xff\xd8\xff",)),
    FileKind("png", "image/png", "png", (b"\x89PNG\r\n\x1a\n",)),
)
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")


def sniff(head: bytes) -> FileKind | None:
    """The kind of file by its first bytes, whatever its name or declared type says."""
    return next((k for k in KINDS if any(head.startswith(m) for m in k.magic)), None)


def sanitise_name(name: str, extension: str) -> str:
    """Keep a readable base name (letters, digits, dash, underscore), force the real extension."""
    base = unicodedata.normalize("NFKD", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    base = base.encode("ascii", "ignore").decode().rsplit(".", 1)[0]
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", base).strip("-")[:80] or "document"
    return f"{base}.{extension}"


def check_upload(upload: UploadedFile, accept: list[str], max_mb: float) -> FileKind:
    """Refuse a file that is too big, executable, or not of an accepted kind (by content)."""
    if upload.size is not None and upload.size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("The file is larger than %(max)s MB. Choose a smaller file.") % {"max": max_mb},
            code="too_big",
        )
    head = upload.read(16)
    upload.seek(0)
    if any(head.startswith(magic) for magic in EXECUTABLE_MAGIC):
        raise ValidationError(
            _("This file is a program, not a document. Upload a PDF, JPEG or PNG file."),
            code="executable",
        )
    kind = sniff(head)
    if kind is None or kind.key not in accept:
        allowed = ", ".join(k.extension.upper() for k in KINDS if k.key in accept)
        raise ValidationError(
            _("This file is not a %(allowed)s file, whatever its name says.")
            % {"allowed": allowed},
            code="wrong_type",
        )
    return kind


def store_upload(upload: UploadedFile, kind: FileKind, owner: User) -> Attachment:
    """Store the file; a photo is re-encoded without its metadata (camera, time, GPS position)
    before it is ever written."""
    digest = hashlib.sha256()
    content = b"".join(chunk for chunk in upload.chunks())
    if kind.key in ("jpeg", "png"):
        try:
            content = strip_metadata(content)
        except NotAnImage:
            raise ValidationError(
                _("This image cannot be read. Upload another photo."), code="unreadable"
            ) from None
    digest.update(content)
    name = f"attachments/{uuid.uuid4().hex}"
    try:
        storage_name = default_storage.save(name, ContentFile(content))
    except OSError as problem:
        _remove_partial(name)
        # Full, read-only or missing storage: the caller asks the applicant to try again later
        # and keeps their other answers; operators must hear of it at once. Neither the file's
        # name nor its owner goes in the log, only what is wrong with the storage.
        reason = errno.errorcode.get(problem.errno or 0, type(problem).__name__)
        log.error("an upload of %s bytes could not be stored: %s", len(content), reason)
        raise
    return Attachment.objects.create(
        owner=owner,
        name=sanitise_name(upload.name or "document", kind.extension),
        content_type=kind.content_type,
        size=len(content),
        sha256=digest.hexdigest(),
        storage_name=storage_name,
    )


def _remove_partial(name: str) -> None:
    """A write that failed half way (a full disk) may leave a truncated file behind."""
    try:
        if default_storage.exists(name):
            default_storage.delete(name)
    except OSError:
        pass  # the storage is broken; the operator log already says so
