"""Survey results in the JSON API (crm/api.py), read-only (P4.1.3, P4.2.3, P5.2): NPS, CSAT and
CES with n and response rate for a year (or every year), overall, by survey period, quarter,
family and department, as the results page, through the same selector."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.forms import query_int

from . import selectors
from .forms import SURVEY_FAMILIES

FAMILIES = [value for value, _label in SURVEY_FAMILIES]


class ScoresSerializer(serializers.Serializer):
    label = serializers.CharField(allow_blank=True)
    key = serializers.CharField(allow_blank=True)
    invitations = serializers.IntegerField()
    responses = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    nps_n = serializers.IntegerField()
    nps = serializers.FloatField(allow_null=True)
    csat_n = serializers.IntegerField()
    csat = serializers.FloatField(allow_null=True)
    ces_n = serializers.IntegerField()
    ces = serializers.FloatField(allow_null=True)


class ResultsSerializer(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True)
    overall = ScoresSerializer()
    by_period = ScoresSerializer(many=True)
    by_quarter = ScoresSerializer(many=True)
    by_family = ScoresSerializer(many=True)
    by_department = ScoresSerializer(many=True)


@extend_schema(tags=["surveys"])
class SurveyResultsView(APIView):
    """Survey results by period: one year (`year`, default: every year), one survey or one
    family."""

    @extend_schema(
        responses=ResultsSerializer,
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="A year, e.g. 2026; none: every year."),
            OpenApiParameter("survey", OpenApiTypes.INT, description="One survey's id."),
            OpenApiParameter("family", OpenApiTypes.STR, enum=FAMILIES),
        ],
    )
    def get(self, request):
        params = request.query_params
        errors = {}
        year = query_int(params.get("year"), low=1900, high=2100) if params.get("year") else None
        if params.get("year") and year is None:
            errors["year"] = [_("Enter a year between 1900 and 2100.")]
        survey_id = query_int(params.get("survey")) if params.get("survey") else None
        if params.get("survey") and survey_id is None:
            errors["survey"] = [_("Choose a survey (its id).")]
        family = params.get("family") or None
        if family is not None and family not in FAMILIES:
            errors["family"] = [_("Choose a family.")]
        if errors:
            raise exceptions.ValidationError(errors)
        results = selectors.survey_results(survey_id=survey_id, family=family, year=year)
        return Response(ResultsSerializer(results).data)
