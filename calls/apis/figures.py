"""The figures over every call (``/metrics/``), and the query and answer a campaign's figures share with them."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from calls.figures import figures_compute
from voiceassist.common.api import error_responses
from voiceassist.common.permissions import model_permission

# Figures are part of running campaigns: whoever may see campaigns may see them.
CanViewFigures = model_permission("calls.view_campaign")


class FiguresQuerySerializer(serializers.Serializer):
    """``?from=&to=``: local days (TIME_ZONE) on which the calls started, both included; either may be left out."""

    def get_fields(self) -> dict:
        # "from" is a Python keyword: the fields are named here rather than as class attributes.
        return {
            "from": serializers.DateField(required=False, help_text="First day (YYYY-MM-DD), the office's time."),
            "to": serializers.DateField(required=False, help_text="Last day (YYYY-MM-DD), included."),
        }

    def validate(self, attrs: dict) -> dict:
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": "The range ends before it starts: “to” is before “from”."})
        return attrs


def figures_period(request) -> dict:
    """The ``date_from`` and ``date_to`` of ``figures_compute`` from the request's ``?from=&to=``."""
    query = FiguresQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return {"date_from": query.validated_data.get("from"), "date_to": query.validated_data.get("to")}


class FiguresBreakdownSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Bucket (0, 1-30, 31-60, 61-90, 90+, unknown), language, hour or day.")
    label = serializers.CharField()
    attempts = serializers.IntegerField()
    connects = serializers.IntegerField()
    right_party_contacts = serializers.IntegerField()
    promises = serializers.IntegerField()
    promised_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    collected_amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class FiguresCostSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="As the provider reported it (ISO 4217).")
    priced_attempts = serializers.IntegerField(help_text="Attempts the provider put a price on.")
    total = serializers.DecimalField(max_digits=20, decimal_places=4)
    per_call = serializers.DecimalField(max_digits=20, decimal_places=4, help_text="total / priced_attempts")


class CampaignMetricsOutputSerializer(serializers.Serializer):
    """What each figure means: README, "Figures"."""

    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    attribution_days = serializers.IntegerField(help_text="PAYMENTS_ATTRIBUTION_DAYS")
    attempts = serializers.IntegerField(help_text="Calls that reached the network.")
    connects = serializers.IntegerField(help_text="A person answered and said something (not a machine, not silence).")
    connect_rate = serializers.FloatField()
    right_party_contacts = serializers.IntegerField()
    right_party_rate = serializers.FloatField()
    scheduled = serializers.IntegerField(help_text="Calls waiting to be placed now (whatever the range).")
    promises = serializers.IntegerField()
    promised_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    open = serializers.IntegerField()
    kept = serializers.IntegerField()
    partly_kept = serializers.IntegerField()
    broken = serializers.IntegerField()
    replaced = serializers.IntegerField()
    kept_rate = serializers.FloatField(help_text="kept / (kept + partly_kept + broken)")
    collected_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    cost_per_call = FiguresCostSerializer(many=True, allow_null=True, help_text="Per currency; null: no price yet.")
    by_dpd_bucket = FiguresBreakdownSerializer(many=True)
    by_language = FiguresBreakdownSerializer(many=True)
    by_hour = FiguresBreakdownSerializer(many=True)
    by_day = FiguresBreakdownSerializer(many=True)


class FiguresApi(APIView):
    """The same figures over every call (of any campaign, or none), for calls started between ``from`` and ``to``."""

    permission_classes = [CanViewFigures]

    @extend_schema(
        parameters=[FiguresQuerySerializer],
        responses={200: CampaignMetricsOutputSerializer, **error_responses(400)},
    )
    def get(self, request):
        return Response(CampaignMetricsOutputSerializer(figures_compute(**figures_period(request))).data)
