"""Uploaded files: what is accepted, how it is stored, how it is sent back.

- Accepted: an allow-list of document and image types, checked by extension AND by content
  (the file's first bytes), so an HTML page renamed ``.pdf`` is refused.
- Stored under a name the server makes (``<folder>/<year>/<uuid>.<ext>``): never the name the
  browser sent, so nothing about the upload chooses a path or a type.
- Size: ``LimitedUploadHandler`` stops reading a file part past ``RAPPORT_UPLOAD_MAX_BYTES``
  and a request whose declared body is larger is refused before it is read.
- Sent back only through a view that checks access (``file_response``): as an attachment,
  ``X-Content-Type-Options: nosniff`` and a fixed content type. ``/media/`` is never served.
  Behind nginx or Apache set ``RAPPORT_SENDFILE_HEADER`` (``X-Accel-Redirect`` or
  ``X-Sendfile``) and ``RAPPORT_SENDFILE_PREFIX``: the view still checks access, then the
  proxy sends the bytes from an internal location.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Kind:
    extensions: tuple[str, ...]
    content_type: str
    magic: tuple[bytes, ...]


# What a business document or a scan of a certificate is. No HTML, SVG, scripts or programs.
KINDS = (
    Kind((".pdf",), "application/pdf", (b"%PDF-",)),
    Kind((".png",), "image/png", (b"\x89PNG\r\n\x1a\n",)),
    Kind((".jpg", ".jpeg"), "image/jpeg", (b"\xff\xd8\xff",)),
    # Office Open XML files are zip archives.
    Kind((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    Kind((".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
)
ALLOWED_EXTENSIONS = tuple(ext for kind in KINDS for ext in kind.extensions)


def kind_for(name: str) -> Kind | None:
    suffix = PurePosixPath(name).suffix.lower()
    return next((kind for kind in KINDS if suffix in kind.extensions), None)


def validate_upload(upload) -> Kind:
    """The upload's kind, or a ValidationError a form shows next to the field."""
    limit = settings.RAPPORT_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("The file is too large (at most %(mb)d MB).") % {"mb": limit // (1024 * 1024)})
    kind = kind_for(upload.name or "")
    if kind is None:
        raise ValidationError(
            _("This type of file is not accepted. Upload one of: %(types)s.") % {"types": ", ".join(ALLOWED_EXTENSIONS)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in kind.magic):
        raise ValidationError(
            _("The file's content does not match its extension (%(ext)s).") % {"ext": kind.extensions[0]}
        )
    return kind


def storage_name(folder: str, original: str) -> str:
    """``upload_to`` for FileFields: the server's own name, keeping only a checked extension."""
    kind = kind_for(original)
    extension = kind.extensions[0] if kind else ".bin"
    return f"{folder}/{timezone.localdate():%Y}/{uuid.uuid4().hex}{extension}"


def file_response(field_file, *, download_name: str) -> HttpResponse:
    """Send a stored file the view has checked access to: attachment, nosniff, fixed type."""
    kind = kind_for(field_file.name)
    content_type = kind.content_type if kind else "application/octet-stream"
    extension = kind.extensions[0] if kind else ".bin"
    filename = f"{download_name}{extension}"
    header = settings.RAPPORT_SENDFILE_HEADER
    if header:
        response = HttpResponse(content_type=content_type)
        response[header] = settings.RAPPORT_SENDFILE_PREFIX.rstrip("/") + "/" + field_file.name
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = FileResponse(field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading an upload once it passes the limit, instead of spooling all of it to disk.

    The request then arrives with the file missing and ``request.upload_too_large`` set; the
    form reports it. A body whose Content-Length already says it is too large is refused at
    the start (``handle_raw_input``) without reading it."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limit = settings.RAPPORT_UPLOAD_MAX_BYTES + 64 * 1024  # room for the other form fields
        if content_length and content_length > limit:
            self.request.upload_too_large = True
            return QueryDict(), MultiValueDict()  # the parse's result, without reading the body

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.RAPPORT_UPLOAD_MAX_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
