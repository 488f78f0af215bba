"""Payments over the API: make a link (texted to the customer) and list a loan's links; and the endpoints
gateways and SMS providers call, which authenticate by signature (or, for Exotel, a secret in the URL),
not by user.
"""

from decimal import Decimal

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from calls.models import PromiseToPay
from customers.models import Loan
from voiceassist.common.api import ErrorSerializer, IdFilter, agent_or_model_permission, error_responses
from voiceassist.common.exceptions import error_body
from voiceassist.common.permissions import model_permission

from .gateways import GATEWAYS
from .models import LinkStatus, PaymentLink, SmsMessage
from .selectors import payment_link_list
from .services import WebhookResult, payment_link_create, payment_webhook_receive, sms_status_receive
from .sms import SMS_PROVIDERS

# Reading a loan's links is reading the loan; asking for money on it is for whoever may record its payments.
CanViewLinks = agent_or_model_permission("payments.view_paymentlink")
CanSendLinks = model_permission("payments.view_paymentlink", "payments.add_paymentlink")


class SmsMessageOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SmsMessage
        fields = ["id", "provider", "to", "language", "status", "error", "sent_at", "delivered_at", "created_at"]


class PaymentLinkOutputSerializer(serializers.ModelSerializer):
    loan_id = serializers.CharField(source="loan.loan_id", read_only=True, help_text="The lender's loan id.")
    messages = SmsMessageOutputSerializer(many=True, read_only=True, help_text="Text messages, newest first.")

    class Meta:
        model = PaymentLink
        fields = [
            "id",
            "customer",
            "loan",
            "loan_id",
            "promise",
            "gateway",
            "gateway_link_id",
            "short_url",
            "amount",
            "currency",
            "amount_paid",
            "status",
            "expires_at",
            "automatic",
            "messages",
            "created_at",
        ]


class PaymentLinkFilter(filters.FilterSet):
    loan = IdFilter(field_name="loan_id")
    customer = IdFilter(field_name="customer_id")
    status = filters.ChoiceFilter(choices=LinkStatus.choices)

    class Meta:
        model = PaymentLink
        fields = ["loan", "customer", "status"]


class PaymentLinkListApi(ListAPIView):
    """Payment links, newest first."""

    permission_classes = [CanViewLinks]
    serializer_class = PaymentLinkOutputSerializer
    filterset_class = PaymentLinkFilter

    def get_queryset(self):
        return payment_link_list()

    @extend_schema(responses={200: PaymentLinkOutputSerializer(many=True), **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PaymentLinkCreateApi(APIView):
    """Make a payment link for a loan, texted to the customer at once."""

    parser_classes = [JSONParser]
    permission_classes = [CanSendLinks]

    @extend_schema_serializer(component_name="PaymentLinkCreateInput")
    class InputSerializer(serializers.Serializer):
        loan = serializers.PrimaryKeyRelatedField(queryset=Loan.objects.all())
        amount = serializers.DecimalField(
            max_digits=14,
            decimal_places=2,
            min_value=Decimal("0.01"),
            required=False,
            help_text="At most what the loan owes. Absent: the promise's amount, else all the loan owes.",
        )
        promise = serializers.PrimaryKeyRelatedField(
            queryset=PromiseToPay.objects.all(), required=False, help_text="A promise on this loan."
        )

    @extend_schema(
        request=InputSerializer,
        responses={
            201: PaymentLinkOutputSerializer,
            **error_responses(400),
            502: OpenApiResponse(ErrorSerializer, description="The gateway refused the link or could not be reached."),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        link = payment_link_create(actor=request.user, **data.validated_data)
        return Response(
            PaymentLinkOutputSerializer(payment_link_list().get(pk=link.pk)).data, status=status.HTTP_201_CREATED
        )


# --- Gateways' and SMS providers' webhooks ------------------------------------------------------------

_ANSWERS: dict[WebhookResult, tuple[int, dict]] = {
    WebhookResult.APPLIED: (200, {"result": "applied"}),
    # A replay or a late event is answered 200 so the sender stops retrying.
    WebhookResult.IGNORED: (200, {"result": "ignored"}),
    WebhookResult.FORBIDDEN: (403, error_body(code="forbidden", message="The signature does not check out.")),
    WebhookResult.UNREADABLE: (400, error_body(code="invalid", message="The body cannot be read.")),
}


def _answer(result: WebhookResult) -> JsonResponse:
    status_code, body = _ANSWERS[result]
    return JsonResponse(body, status=status_code)


def _not_found(what: str) -> JsonResponse:
    return JsonResponse(error_body(code="not_found", message=f"No such {what}."), status=404)


@csrf_exempt
@require_POST
def payment_webhook(request: HttpRequest, gateway: str) -> JsonResponse:
    if gateway not in GATEWAYS:
        return _not_found("gateway")
    return _answer(payment_webhook_receive(gateway_name=gateway, body=request.body, headers=dict(request.headers)))


@csrf_exempt
@require_POST
def sms_status_webhook(request: HttpRequest, provider: str) -> JsonResponse:
    if provider not in SMS_PROVIDERS:
        return _not_found("SMS provider")
    result = sms_status_receive(
        provider_name=provider, path=request.get_full_path(), body=request.body, headers=dict(request.headers)
    )
    return _answer(result)
