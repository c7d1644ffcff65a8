"""The registry's JSON API (crm/api.py): partners, contacts, interactions, follow-ups.

Each write binds the page's form (same validation, same messages) and calls the page's
service (same history); each record is loaded through the page's access selector."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from crm import roles
from crm.api import body_of, if_match_version, update_form, valid_form, with_etag
from crm.concurrency import changed_values, version_of

from . import selectors, services
from .filters import FollowUpFilter, PartnerFilter
from .forms import ContactForm, FollowUpFormSet, InteractionForm, PartnerForm, active_colleagues
from .models import PARTNER_EDITABLE_FIELDS, Contact, Family, FollowUp, Interaction, Partner

# --- Serializers: what a record reads as, and what a write may send -------------------------


class VersionedSerializer(serializers.ModelSerializer):
    version = serializers.SerializerMethodField(help_text="The record's ETag, without quotes.")

    def get_version(self, obj) -> str:
        return version_of(obj)


class PartnerSerializer(VersionedSerializer):
    tag_names = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = [
            "id",
            "family",
            *PARTNER_EDITABLE_FIELDS,
            "tag_names",
            "last_contacted_at",
            "archived_at",
            "created_at",
            "updated_at",
            "version",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tag_names(self, obj) -> list[str]:
        return sorted(t.name for t in obj.tags.all())


class PartnerWriteSerializer(serializers.ModelSerializer):
    """The partner form's fields; which ones a user may set (owner, department, status) is the
    form's decision, as on the page."""

    tag_names = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=20)

    class Meta:
        model = Partner
        fields = ["family", *PARTNER_EDITABLE_FIELDS, "tag_names"]
        extra_kwargs = {name: {"required": False} for name in PARTNER_EDITABLE_FIELDS}


class ContactSerializer(VersionedSerializer):
    class Meta:
        model = Contact
        fields = ["id", "partner", *services.CONTACT_FIELDS, "created_at", "updated_at", "version"]


class ContactWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["partner", *services.CONTACT_FIELDS]
        extra_kwargs = {name: {"required": False} for name in services.CONTACT_FIELDS}


class FollowUpSerializer(VersionedSerializer):
    done = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "partner",
            "interaction",
            "description",
            "owner",
            "due_on",
            "done",
            "done_at",
            "done_by",
            "created_at",
            "updated_at",
            "version",
        ]

    def get_done(self, obj) -> bool:
        return obj.done_at is not None


class FollowUpWriteSerializer(serializers.Serializer):
    done = serializers.BooleanField(help_text="Mark the follow-up done (true) or open again (false).")


class FollowUpNewSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    owner = serializers.IntegerField(help_text="A colleague with a role.")
    due_on = serializers.DateField()


class InteractionSerializer(VersionedSerializer):
    class Meta:
        model = Interaction
        fields = [
            "id",
            "partner",
            "author",
            "department",
            *services.INTERACTION_FIELDS,
            "participants",
            "contacts",
            "created_at",
            "updated_at",
            "version",
        ]


class InteractionWriteSerializer(serializers.ModelSerializer):
    follow_ups = FollowUpNewSerializer(many=True, required=False, help_text="Only when logging (POST); at most 10.")

    class Meta:
        model = Interaction
        fields = ["partner", *services.INTERACTION_FIELDS, "participants", "contacts", "follow_ups"]
        extra_kwargs = {
            name: {"required": False} for name in (*services.INTERACTION_FIELDS, "participants", "contacts")
        }


# --- Viewsets ------------------------------------------------------------------------------------


class _Base(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        return with_etag(Response(self.get_serializer(obj).data), obj)

    def _saved(self, obj, *, created: bool = False) -> Response:
        obj.refresh_from_db()
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return with_etag(Response(self.get_serializer(obj).data, status=code), obj)


def _partner_from_body(request, *, write: bool) -> Partner:
    raw = body_of(request).get("partner")
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise exceptions.ValidationError({"partner": [_("Choose a partner (its id).")]})
    return selectors.partner_get_for_user(user=request.user, pk=raw, write=write)


class _NoSort(PartnerFilter):
    """The partner list's filters; the order is the cursor's."""

    sort = None


@extend_schema(tags=["partners"])
class PartnerViewSet(_Base):
    """Partners of every family (P2): as the partner list, with its filters (`archived=true`
    lists the archived ones)."""

    serializer_class = PartnerSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = _NoSort

    def get_queryset(self):
        if self.action == "list":
            archived = self.request.query_params.get("archived") in ("on", "true", "1")
            qs = selectors.partner_list_for_user(user=self.request.user, archived=archived)
            return qs.defer(None).prefetch_related("tags")
        return Partner.objects.none()

    def get_object(self):
        write = self.request.method == "PATCH"
        obj = selectors.partner_get_for_user(user=self.request.user, pk=self.kwargs["pk"], write=write)
        self.check_object_permissions(self.request, obj)
        return obj

    @staticmethod
    def _form_body(body: dict) -> dict:
        if isinstance(body.get("tag_names"), list):
            body["tag_names"] = ", ".join(str(t) for t in body["tag_names"])
        return body

    @extend_schema(request=PartnerWriteSerializer, responses={201: PartnerSerializer})
    def create(self, request):
        if not selectors.can_create_partner(request.user):
            raise exceptions.PermissionDenied
        body = self._form_body(body_of(request))
        family = body.get("family")
        if family not in Family.values:
            raise exceptions.ValidationError({"family": [_("Choose a family.")]})
        form = valid_form(PartnerForm(body, family=family, user=request.user))
        try:
            partner = services.partner_create(
                family=family,
                data=form.cleaned_data,
                tag_names=form.cleaned_data["tag_names"],
                created_by=request.user,
            )
        except services.DuplicatePartnerName:
            raise exceptions.ValidationError(
                {"name": [_("A partner with this name already exists in this family.")]}
            ) from None
        return self._saved(partner, created=True)

    @extend_schema(request=PartnerWriteSerializer)
    def partial_update(self, request, pk: int):
        partner = self.get_object()
        body = self._form_body(body_of(request))
        form = update_form(request, PartnerForm, instance=partner, body=body, family=partner.family, user=request.user)
        try:
            stored = services.partner_update(
                pk=partner.pk, changed=changed_values(form), version=form.version, user=request.user
            )
        except services.DuplicatePartnerName:
            raise exceptions.ValidationError(
                {"name": [_("A partner with this name already exists in this family.")]}
            ) from None
        return self._saved(stored)


@extend_schema(tags=["partners"])
class ContactViewSet(_Base):
    """Contacts of partners; `?partner=<id>` lists one partner's."""

    serializer_class = ContactSerializer

    def get_queryset(self):
        if not roles.has_any_role(self.request.user):
            return Contact.objects.none()
        qs = Contact.objects.all()
        partner = self.request.query_params.get("partner", "")
        if partner:
            if not partner.isdigit() or len(partner) > 18:
                raise exceptions.ValidationError({"partner": [_("Choose a partner (its id).")]})
            qs = qs.filter(partner_id=int(partner))
        return qs

    def get_object(self):
        write = self.request.method == "PATCH"
        return selectors.contact_get_for_user(user=self.request.user, pk=self.kwargs["pk"], write=write)

    @extend_schema(request=ContactWriteSerializer, responses={201: ContactSerializer})
    def create(self, request):
        if not roles.has_write_role(request.user):
            raise exceptions.PermissionDenied
        partner = _partner_from_body(request, write=True)
        form = valid_form(ContactForm(body_of(request), instance=Contact(partner=partner)))
        return self._saved(services.contact_save(contact=form.instance), created=True)

    @extend_schema(request=ContactWriteSerializer)
    def partial_update(self, request, pk: int):
        contact = self.get_object()
        form = update_form(request, ContactForm, instance=contact)
        saved = services.contact_update(
            pk=contact.pk, changed=changed_values(form), version=form.version, user=request.user
        )
        return self._saved(saved)


@extend_schema(tags=["partners"])
class InteractionViewSet(_Base):
    """Interactions (P3.3); `?partner=<id>` lists one partner's timeline. Logging one may add
    its follow-ups (commitments), as the quick-log form does."""

    serializer_class = InteractionSerializer

    def get_queryset(self):
        if not roles.has_any_role(self.request.user):
            return Interaction.objects.none()
        qs = Interaction.objects.prefetch_related("participants", "contacts")
        partner = self.request.query_params.get("partner", "")
        if partner:
            if not partner.isdigit() or len(partner) > 18:
                raise exceptions.ValidationError({"partner": [_("Choose a partner (its id).")]})
            qs = qs.filter(partner_id=int(partner))
        return qs

    def get_object(self):
        write = self.request.method == "PATCH"
        return selectors.interaction_get_for_user(user=self.request.user, pk=self.kwargs["pk"], write=write)

    @extend_schema(request=InteractionWriteSerializer, responses={201: InteractionSerializer})
    def create(self, request):
        if not roles.has_write_role(request.user):
            raise exceptions.PermissionDenied
        partner = _partner_from_body(request, write=False)
        body = body_of(request)
        form = valid_form(InteractionForm(body, partner=partner))
        items = body.get("follow_ups") or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise exceptions.ValidationError({"follow_ups": [_("Send a list of follow-ups.")]})
        data = {"fu-TOTAL_FORMS": len(items), "fu-INITIAL_FORMS": 0, "fu-MIN_NUM_FORMS": 0, "fu-MAX_NUM_FORMS": 10}
        for i, item in enumerate(items):
            data.update({f"fu-{i}-{k}": item.get(k, "") for k in ("description", "owner", "due_on")})
        formset = FollowUpFormSet(data, prefix="fu", form_kwargs={"owners": active_colleagues()})
        formset.occurred_on = timezone.localdate(form.cleaned_data["occurred_at"])
        if not formset.is_valid():
            errors = [dict(f.errors) for f in formset.forms] if any(f.errors for f in formset.forms) else []
            raise exceptions.ValidationError({"follow_ups": errors or list(formset.non_form_errors())})
        with transaction.atomic():
            interaction = services.interaction_log(
                partner=partner,
                author=request.user,
                data=form.cleaned_data,
                participants=form.cleaned_data["participants"],
                contacts=form.cleaned_data["contacts"],
                followups=[
                    services.FollowUpData(
                        description=f.cleaned_data["description"],
                        owner=f.cleaned_data["owner"],
                        due_on=f.cleaned_data["due_on"],
                    )
                    for f in formset.filled_forms()
                ],
            )
        return self._saved(interaction, created=True)

    @extend_schema(request=InteractionWriteSerializer)
    def partial_update(self, request, pk: int):
        interaction = self.get_object()
        form = update_form(request, InteractionForm, instance=interaction, partner=interaction.partner)
        saved = services.interaction_update(
            pk=interaction.pk, changed=changed_values(form), version=form.version, user=request.user
        )
        return self._saved(saved)


@extend_schema(tags=["partners"])
class FollowUpViewSet(_Base):
    """My follow-ups (P3.3), by the list's tabs: `?state=open|overdue|done`. New follow-ups are
    logged with an interaction (`follow_ups`); a PATCH marks one done or open again."""

    serializer_class = FollowUpSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = FollowUpFilter
    http_method_names = ["get", "patch", "head", "options"]

    queryset = FollowUp.objects.none()  # the model, for the schema

    def get_queryset(self):
        if self.action == "list" and not getattr(self, "swagger_fake_view", False):
            return selectors.followup_list_for_user(user=self.request.user)
        return FollowUp.objects.none()

    def get_object(self):
        write = self.request.method == "PATCH"
        return selectors.followup_get_for_user(user=self.request.user, pk=self.kwargs["pk"], write=write)

    @extend_schema(request=FollowUpWriteSerializer)
    def partial_update(self, request, pk: int):
        followup = self.get_object()
        version = if_match_version(request)
        serializer = FollowUpWriteSerializer(data=body_of(request))
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["done"]:
            services.followup_complete(followup=followup, user=request.user, version=version)
        else:
            services.followup_reopen(followup=followup, version=version)
        return self._saved(followup)
