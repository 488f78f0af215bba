"""Promises to pay over the API: list them, and record one made to an agent or an integration."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from calls.models import PromiseStatus, PromiseToPay
from calls.selectors import promise_list
from calls.services.promises import PROMISE_MAX_GRACE_DAYS, promise_create
from customers.models import Loan
from voiceassist.common.api import IdFilter, agent_or_model_permission, error_responses

CanViewPromises = agent_or_model_permission("calls.view_promisetopay")
CanAddPromises = agent_or_model_permission("calls.view_promisetopay", "calls.add_promisetopay")


class PromiseOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PromiseToPay
        fields = [
            "id",
            "customer",
            "loan",
            "amount",
            "promised_date",
            "grace_days",
            "outstanding_at_promise",
            "source_call",
            "status",
            "paid_amount",
            "replaced_by",
            "resolved_at",
            "created_by",
            "created_at",
        ]


class PromiseFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=PromiseStatus.choices)
    customer = IdFilter(field_name="customer_id")
    loan = IdFilter(field_name="loan_id")

    class Meta:
        model = PromiseToPay
        fields = ["status", "customer", "loan"]


class PromiseListApi(ListAPIView):
    """Promises to pay, soonest first."""

    permission_classes = [CanViewPromises]
    serializer_class = PromiseOutputSerializer
    filterset_class = PromiseFilter

    def get_queryset(self):
        return promise_list()

    @extend_schema(responses={200: PromiseOutputSerializer(many=True), **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PromiseCreateApi(APIView):
    """Record a promise to pay made to an agent or an integration; it replaces the loan's open one."""

    parser_classes = [JSONParser]
    permission_classes = [CanAddPromises]

    @extend_schema_serializer(component_name="PromiseCreateInput")
    class InputSerializer(serializers.Serializer):
        loan = serializers.PrimaryKeyRelatedField(queryset=Loan.objects.all())
        amount = serializers.DecimalField(
            max_digits=14,
            decimal_places=2,
            required=False,
            help_text="Above zero, at most what the loan owes. Absent: the instalment due, else all that is owed.",
        )
        promised_date = serializers.DateField(help_text="Today or later, within PROMISE_HORIZON_DAYS (30).")
        # The service enforces the range for every caller; stated here too so the schema shows it.
        grace_days = serializers.IntegerField(min_value=0, max_value=PROMISE_MAX_GRACE_DAYS, required=False)

    @extend_schema(request=InputSerializer, responses={201: PromiseOutputSerializer, **error_responses(400)})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        promise = promise_create(actor=request.user, **data.validated_data)
        return Response(PromiseOutputSerializer(promise).data, status=status.HTTP_201_CREATED)
