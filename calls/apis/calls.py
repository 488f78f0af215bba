"""Calls over the API: list and read them, and schedule one ad-hoc call (which the compliance guard may refuse)."""

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from calls.models import Call, CallEvent, CallStatus, Disposition
from calls.selectors import call_list
from calls.services.dispatch import call_request_adhoc
from customers.models import Customer, Loan
from voiceassist.common.api import IdFilter, agent_or_model_permission, error_responses
from voiceassist.common.permissions import model_permission

CanViewCalls = agent_or_model_permission("calls.view_call")
CanScheduleCalls = model_permission("calls.view_call", "calls.add_call")


class CallOutputSerializer(serializers.ModelSerializer):
    disposition = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "campaign",
            "customer",
            "loan",
            "attempt",
            "phone_dialled",
            "provider",
            "status",
            "scheduled_for",
            "answered_by",
            "disposition",
            "keypad",
            "duration_seconds",
            "blocked_code",
            "blocked_reason",
            "queued_at",
            "started_at",
            "answered_at",
            "ended_at",
            "created_at",
        ]


class DispositionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disposition
        fields = ["code", "label", "layer", "is_contact", "is_right_party_contact", "is_final"]


class CallEventOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallEvent
        fields = ["id", "kind", "status", "detail", "created_at"]


class CallDetailOutputSerializer(CallOutputSerializer):
    disposition = DispositionOutputSerializer(read_only=True, allow_null=True)
    events = CallEventOutputSerializer(many=True, read_only=True)

    class Meta(CallOutputSerializer.Meta):
        fields = [*CallOutputSerializer.Meta.fields, "recording_url", "transcript", "events"]


class CallFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=CallStatus.choices)
    campaign = IdFilter(field_name="campaign_id")
    customer = IdFilter(field_name="customer_id")
    loan = IdFilter(field_name="loan_id")

    class Meta:
        model = Call
        fields = ["status", "campaign", "customer", "loan"]


class CallListApi(ListAPIView):
    """Calls, newest first."""

    permission_classes = [CanViewCalls]
    serializer_class = CallOutputSerializer
    filterset_class = CallFilter

    def get_queryset(self):
        return call_list()

    @extend_schema(responses={200: CallOutputSerializer(many=True), **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CallCreateApi(APIView):
    """Schedule one ad-hoc call, now or at a time within a year; the compliance guard may refuse it (400)."""

    parser_classes = [JSONParser]
    permission_classes = [CanScheduleCalls]

    @extend_schema_serializer(component_name="CallScheduleInput")
    class InputSerializer(serializers.Serializer):
        customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
        loan = serializers.PrimaryKeyRelatedField(
            queryset=Loan.objects.all(), required=False, allow_null=True, default=None
        )
        at = serializers.DateTimeField(
            required=False, allow_null=True, default=None, help_text="When to call; empty: now."
        )

    @extend_schema(request=InputSerializer, responses={201: CallDetailOutputSerializer, **error_responses(400)})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call = call_request_adhoc(actor=request.user, **data.validated_data)
        call = get_object_or_404(call_list(with_events=True), pk=call.pk)
        return Response(CallDetailOutputSerializer(call).data, status=status.HTTP_201_CREATED)


class CallDetailApi(APIView):
    permission_classes = [CanViewCalls]

    @extend_schema(responses={200: CallDetailOutputSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        return Response(CallDetailOutputSerializer(get_object_or_404(call_list(with_events=True), pk=pk)).data)
