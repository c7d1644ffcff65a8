"""Service cases in the JSON API (crm/api.py): open a case that came in by another channel (a
phone line, a mailbox, a chat tool), read cases, read and add notes (P4.1.2, P4.2.2)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.api import body_of, valid_form, with_etag
from crm.concurrency import version_of
from partners.selectors import partner_get_for_user

from . import selectors, services
from .filters import CaseFilter
from .forms import CaseForm, CaseNoteForm
from .models import Case, CaseNote


class CaseSerializer(serializers.ModelSerializer):
    version = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "partner",
            "contact",
            "family",
            "department",
            "kind",
            "channel",
            "priority",
            "status",
            "subject",
            "description",
            "assignee",
            "created_by",
            "opened_at",
            "response_due_at",
            "resolution_due_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "resolution",
            "created_at",
            "updated_at",
            "version",
        ]

    def get_version(self, obj) -> str:
        return version_of(obj)


class CaseWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["partner", "contact", "kind", "channel", "priority", "subject", "description", "assignee"]
        extra_kwargs = {"partner": {"required": True, "allow_null": False}}


class CaseNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseNote
        fields = ["id", "kind", "author", "body", "status_from", "status_to", "created_at"]


class CaseNoteWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[CaseNote.Kind.NOTE, CaseNote.Kind.REPLY])
    body = serializers.CharField(max_length=5000)


class _NoSort(CaseFilter):
    """The case list's filters; the order is the cursor's."""

    sort = None


@extend_schema(tags=["cases"])
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases, filtered like the case list (`state`, `kind`, `priority`, `family`, `department`,
    `assignee`, `partner`, `q`)."""

    serializer_class = CaseSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = _NoSort
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if self.action == "list":
            return selectors.case_list_for_user(user=self.request.user).defer(None)
        return Case.objects.none()

    def get_object(self):
        write = self.request.method == "POST"
        return selectors.case_get_for_user(user=self.request.user, pk=self.kwargs["pk"], write=write)

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        return with_etag(Response(self.get_serializer(case).data), case)

    @extend_schema(request=CaseWriteSerializer, responses={201: CaseSerializer})
    def create(self, request):
        if not selectors.may_open_case(request.user):
            raise exceptions.PermissionDenied
        body = body_of(request)
        raw = body.get("partner")
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise exceptions.ValidationError({"partner": [_("Choose a partner (its id).")]})
        partner = partner_get_for_user(user=request.user, pk=raw)
        form = valid_form(CaseForm(body, partner=partner, initial={"assignee": partner.owner_id}))
        case = services.case_open(partner=partner, created_by=request.user, **form.cleaned_data)
        case.refresh_from_db()
        return with_etag(Response(self.get_serializer(case).data, status=status.HTTP_201_CREATED), case)

    @extend_schema(methods=["GET"], responses={200: CaseNoteSerializer(many=True)})
    @extend_schema(methods=["POST"], request=CaseNoteWriteSerializer, responses={201: CaseNoteSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def notes(self, request, pk: int):
        """The case's timeline (GET), or a note or a reply to the requester (POST, as the case
        page: a reply is e-mailed to them and is the first response)."""
        case = self.get_object()
        if request.method == "GET":
            notes = selectors.case_timeline(case=case)
            return Response(CaseNoteSerializer(notes, many=True).data)
        form = valid_form(CaseNoteForm(body_of(request)))
        note = services.case_note_add(case=case, user=request.user, **form.cleaned_data)
        return Response(CaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)
