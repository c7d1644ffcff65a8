"""Qualification document pages (P4.1.1): add and edit, from a supplier's page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from crm.concurrency import StaleEdit, changed_values, refuse_stale
from crm.forms import form_data as _post
from crm.forms import form_files as _files
from crm.roles import role_required
from crm.uploads import file_response
from partners.models import Family
from partners.selectors import partner_get_for_user

from . import selectors, services
from .forms import QualificationForm
from .models import QualificationDocument


def _too_large(request: HttpRequest) -> bool:
    if request.method != "POST":
        return False
    request.POST  # noqa: B018  (parsing the body runs the upload handlers, which set the flag)
    return getattr(request, "upload_too_large", False)


@role_required(write=True)
def qualification_create(request: HttpRequest, pk: int) -> HttpResponse:
    partner = partner_get_for_user(user=request.user, pk=pk, write=True)
    if partner.family != Family.SUPPLIER:
        raise Http404
    form = QualificationForm(
        _post(request),
        _files(request),
        instance=QualificationDocument(partner=partner),
        upload_too_large=_too_large(request),
    )
    if request.method == "POST" and form.is_valid():
        services.qualification_save(document=form.instance)
        messages.success(request, _("The qualification document was added."))
        return redirect(partner)
    return render(request, "suppliers/qualification_form.html", {"form": form, "partner": partner, "document": None})


@role_required(write=True)
def qualification_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.qualification_get_for_user(user=request.user, pk=pk, write=True)
    form = QualificationForm(_post(request), _files(request), instance=document, upload_too_large=_too_large(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.qualification_update(
                pk=document.pk, changed=changed_values(form), version=form.version, user=request.user
            )
        except StaleEdit as exc:
            refuse_stale(form, exc)
        else:
            messages.success(request, _("The qualification document was saved."))
            return redirect(document.partner)
    return render(
        request, "suppliers/qualification_form.html", {"form": form, "partner": document.partner, "document": document}
    )


@role_required()
def qualification_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The document's file, for everyone who may read the supplier: as an attachment, never
    inline (crm/uploads.py)."""
    document = selectors.qualification_get_for_user(user=request.user, pk=pk)
    if not document.file:
        raise Http404
    name = slugify(f"{document.doc_type} {document.number}") or "document"
    return file_response(document.file, download_name=name)
