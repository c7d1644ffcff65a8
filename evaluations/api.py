"""Scorecards and standings in the JSON API (crm/api.py), read-only (P4.1.1, P4.1.3, P4.3.1):
what the scorecard page and the standings page show, through the same selectors."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from crm.forms import query_int
from partners.selectors import partner_get_for_user

from . import selectors
from .models import ScorecardTemplate, StandingCode


class ScoreSerializer(serializers.Serializer):
    template = serializers.IntegerField(source="template_id")
    template_name = serializers.CharField(source="template.name")
    overall_score = serializers.FloatField(allow_null=True)
    overall_standing = serializers.CharField(allow_blank=True)
    latest_standing = serializers.CharField(allow_blank=True)
    rated_periods = serializers.IntegerField()


class TrendPointSerializer(serializers.Serializer):
    evaluation = serializers.IntegerField(source="evaluation_id")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    label = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    overall_score = serializers.FloatField(allow_null=True)
    standing = serializers.CharField(allow_blank=True)


class ScorecardSerializer(serializers.Serializer):
    partner = serializers.IntegerField(source="partner.pk")
    template = serializers.IntegerField(source="template.pk", allow_null=True, default=None)
    current = ScoreSerializer(allow_null=True)
    trend = TrendPointSerializer(many=True)
    scores_by_template = ScoreSerializer(many=True)


class StandingSerializer(serializers.Serializer):
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    overall_score = serializers.FloatField(allow_null=True)
    overall_standing = serializers.CharField(allow_blank=True)


@extend_schema(tags=["evaluations"])
class ScorecardViewSet(viewsets.ViewSet):
    """A partner's scorecard (by the partner's id): its current score and standing, the trend
    by period and the score of each template, as the scorecard page."""

    lookup_value_regex = r"\d+"

    @extend_schema(
        responses=ScorecardSerializer,
        parameters=[OpenApiParameter("template", OpenApiTypes.INT, description="A scorecard template's id.")],
    )
    def retrieve(self, request, pk: int):
        partner = partner_get_for_user(user=request.user, pk=pk)
        card = selectors.supplier_scorecard(
            partner=partner, template_id=query_int(request.query_params.get("template"))
        )
        return Response(ScorecardSerializer(card).data)


@extend_schema(tags=["evaluations"])
class StandingViewSet(viewsets.ViewSet):
    """The standings of one scorecard template: partners by overall score, best first, not
    rated last (at most 100), filtered like the standings page."""

    @extend_schema(
        responses=StandingSerializer(many=True),
        parameters=[
            OpenApiParameter("template", OpenApiTypes.INT, required=True, description="A scorecard template's id."),
            OpenApiParameter("department", OpenApiTypes.INT),
            OpenApiParameter("tier", OpenApiTypes.INT),
            OpenApiParameter("standing", OpenApiTypes.STR),
        ],
    )
    def list(self, request):
        params = request.query_params
        template = ScorecardTemplate.objects.filter(pk=query_int(params.get("template")) or 0).first()
        if template is None:
            raise exceptions.ValidationError({"template": [_("Choose a scorecard template (its id).")]})
        standing = params.get("standing") or None
        if standing is not None and standing not in StandingCode.values:
            raise exceptions.ValidationError({"standing": [_("Choose a standing (A, B, C or D).")]})
        rows = selectors.ranking(
            template=template,
            department_id=query_int(params.get("department")),
            tier=query_int(params.get("tier")),
            standing=standing,
        )
        return Response(StandingSerializer(rows, many=True).data)
