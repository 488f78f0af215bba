"""Customers and loans over the API: find them, read them, mark do-not-call, record payments.

National ids leave only as their last four characters; the fingerprint never leaves the database.
"""

from decimal import Decimal

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.models import Customer, Loan, LoanStatus, Payment, Suppression, SuppressionKind, SuppressionSource
from customers.selectors import customer_find, customer_list, loan_list, suppression_list
from customers.services import loan_record_payment
from customers.states import state_meanings
from customers.suppressions import suppression_set_for
from voiceassist.common.api import IdFilter, agent_or_model_permission, error_responses
from voiceassist.common.permissions import model_permission

CanViewCustomers = agent_or_model_permission("customers.view_customer")
CanSuppress = agent_or_model_permission("customers.view_customer", "customers.add_suppression")
CanViewLoans = agent_or_model_permission("customers.view_loan")
CanRecordPayments = model_permission("customers.view_loan", "customers.add_payment")


# --- Output ------------------------------------------------------------------------------------


class LoanOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Loan
        fields = [
            "id",
            "loan_id",
            "customer",
            "principal_amount",
            "outstanding_amount",
            "due_date",
            "days_past_due",
            "status",
            "created_at",
            "updated_at",
        ]


class CustomerOutputSerializer(serializers.ModelSerializer):
    loans = LoanOutputSerializer(many=True, read_only=True)
    do_not_call = serializers.BooleanField(read_only=True, help_text="A suppression stops every call.")

    class Meta:
        model = Customer
        # Explicit on purpose: ``national_id_fingerprint`` must never be listed here.
        fields = [
            "id",
            "full_name",
            "phone",
            "alternate_phones",
            "email",
            "state",
            "preferred_language",
            "do_not_call",
            "national_id_last4",
            "loans",
            "created_at",
            "updated_at",
        ]


class SuppressionOutputSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    loan_id = serializers.CharField(source="loan.loan_id", read_only=True, allow_null=True, default=None)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Suppression
        fields = [
            "id",
            "customer",
            "kind",
            "kind_display",
            "loan",
            "loan_id",
            "phone",
            "reason",
            "source",
            "active",
            "created_at",
            "created_by",
            "cleared_at",
            "clear_reason",
        ]


class CustomerDetailOutputSerializer(CustomerOutputSerializer):
    do_not_call_reason = serializers.CharField(read_only=True, allow_null=True)
    do_not_call_at = serializers.DateTimeField(read_only=True, allow_null=True)
    suppressions = serializers.SerializerMethodField(help_text="The suppressions in force.")
    entries_url = serializers.SerializerMethodField(help_text="The customer's upload timeline.")

    class Meta(CustomerOutputSerializer.Meta):
        fields = [
            *CustomerOutputSerializer.Meta.fields,
            "do_not_call_reason",
            "do_not_call_at",
            "suppressions",
            "first_uploaded_at",
            "last_uploaded_at",
            "entries_url",
        ]

    @extend_schema_field(SuppressionOutputSerializer(many=True))
    def get_suppressions(self, customer: Customer) -> list[dict]:
        return SuppressionOutputSerializer(suppression_list(customer_id=customer.pk, active=True), many=True).data

    def get_entries_url(self, customer: Customer) -> str:
        path = reverse("api-customer-entries", args=[customer.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CustomerSummarySerializer(serializers.ModelSerializer):
    """A customer named by another record; its queryset comes through ``customer_prefetch``."""

    do_not_call = serializers.BooleanField(read_only=True, help_text="A suppression stops every call.")

    class Meta:
        model = Customer
        fields = ["id", "full_name", "phone", "do_not_call"]


class PaymentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "loan", "amount", "paid_on", "reference", "recorded_by", "created_at"]


class LoanDetailOutputSerializer(LoanOutputSerializer):
    customer_detail = CustomerSummarySerializer(source="customer", read_only=True)
    payments = PaymentOutputSerializer(many=True, read_only=True)

    class Meta(LoanOutputSerializer.Meta):
        fields = [*LoanOutputSerializer.Meta.fields, "customer_detail", "payments"]


# --- Customers ---------------------------------------------------------------------------------


class CustomerFilter(filters.FilterSet):
    q = filters.CharFilter(
        method="filter_q",
        max_length=200,
        label="A phone in any format, a loan id, or part of the name.",
    )
    state = filters.CharFilter(
        method="filter_state", max_length=64, label="A state by name or code (KA, Karnataka): any state it may name."
    )
    do_not_call = filters.BooleanFilter(label="A suppression stops every call.")

    class Meta:
        model = Customer
        fields = ["q", "state"]

    def filter_state(self, queryset, name, value):
        names = state_meanings(value, countries=settings.CALL_COUNTRIES)
        return queryset.filter(state__in=names) if names else queryset

    def filter_q(self, queryset, name, value):
        return queryset.filter(pk__in=customer_find(query=value).values("pk")) if value.strip() else queryset


class CustomerListApi(ListAPIView):
    """Customers, by name; ``?q=`` finds one by phone (any format), loan id or part of the name."""

    permission_classes = [CanViewCustomers]
    serializer_class = CustomerOutputSerializer
    filterset_class = CustomerFilter

    def get_queryset(self):
        return customer_list()

    @extend_schema(responses={200: CustomerOutputSerializer(many=True), **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CustomerDetailApi(APIView):
    permission_classes = [CanViewCustomers]

    @extend_schema(responses={200: CustomerDetailOutputSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        customer = get_object_or_404(customer_list(), pk=pk)
        return Response(CustomerDetailOutputSerializer(customer, context={"request": request}).data)


class CustomerDoNotCallApi(APIView):
    """Stop every future call to the customer (a do-not-call suppression); the reason is kept with the audit trail."""

    parser_classes = [JSONParser]
    permission_classes = [CanSuppress]

    @extend_schema_serializer(component_name="CustomerDoNotCallInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=300, help_text="Why this customer must not be called.")

    @extend_schema(
        request=InputSerializer, responses={200: CustomerDetailOutputSerializer, **error_responses(400, 404)}
    )
    def post(self, request, pk: int):
        customer = get_object_or_404(Customer, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        suppression_set_for(
            customer=customer,
            kind=SuppressionKind.DO_NOT_CALL,
            reason=data.validated_data["reason"],
            source=SuppressionSource.API,
            actor=request.user,
        )
        customer = get_object_or_404(customer_list(), pk=pk)
        return Response(CustomerDetailOutputSerializer(customer, context={"request": request}).data)


class CustomerSuppressionListApi(APIView):
    """A customer's suppressions, newest first, those cleared too."""

    permission_classes = [CanViewCustomers]

    @extend_schema(responses={200: SuppressionOutputSerializer(many=True), **error_responses(404)})
    def get(self, request, pk: int):
        customer = get_object_or_404(Customer, pk=pk)
        return Response(SuppressionOutputSerializer(suppression_list(customer_id=customer.pk), many=True).data)


class CustomerSuppressionCreateApi(APIView):
    """Set a suppression on a customer: a dispute on a loan, a wrong number, stop calling…

    Anyone who may act on the customer may set one; only back office clears them (in the admin), and
    only back office sets deceased, bankruptcy and attorney.
    """

    parser_classes = [JSONParser]
    permission_classes = [CanSuppress]

    @extend_schema_serializer(component_name="SuppressionCreateInput")
    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=SuppressionKind.choices)
        loan = serializers.IntegerField(
            required=False, allow_null=True, min_value=1, help_text="For a dispute or an attorney on one loan."
        )
        reason = serializers.CharField(max_length=300)

    @extend_schema(request=InputSerializer, responses={201: SuppressionOutputSerializer, **error_responses(400, 404)})
    def post(self, request, pk: int):
        customer = get_object_or_404(Customer, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        loan = None
        if data.validated_data.get("loan"):
            loan = Loan.objects.filter(pk=data.validated_data["loan"], customer=customer).first()
            if loan is None:
                raise serializers.ValidationError({"loan": ["This customer has no such loan."]})
        suppression = suppression_set_for(
            customer=customer,
            kind=data.validated_data["kind"],
            loan=loan,
            reason=data.validated_data["reason"],
            source=SuppressionSource.API,
            actor=request.user,
        )
        return Response(SuppressionOutputSerializer(suppression).data, status=status.HTTP_201_CREATED)


# --- Loans -------------------------------------------------------------------------------------


class LoanFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=LoanStatus.choices)
    customer = IdFilter(field_name="customer_id")
    loan_id = filters.CharFilter(max_length=64)
    due_date_from = filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_date_to = filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Loan
        fields = ["status", "customer", "loan_id", "due_date_from", "due_date_to"]


class LoanListApi(ListAPIView):
    """Loans in due-date order; filter by status, customer, loan id and a due-date range."""

    permission_classes = [CanViewLoans]
    serializer_class = LoanOutputSerializer
    filterset_class = LoanFilter

    def get_queryset(self):
        return loan_list()

    @extend_schema(responses={200: LoanOutputSerializer(many=True), **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class LoanDetailApi(APIView):
    permission_classes = [CanViewLoans]

    @extend_schema(responses={200: LoanDetailOutputSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        loan = get_object_or_404(loan_list().prefetch_related("payments"), pk=pk)
        return Response(LoanDetailOutputSerializer(loan).data)


class LoanPaymentCreateApi(APIView):
    """Record money received against the loan: it owes that much less. A reference is accepted once per loan."""

    parser_classes = [JSONParser]
    permission_classes = [CanRecordPayments]

    @extend_schema_serializer(component_name="PaymentCreateInput")
    class InputSerializer(serializers.Serializer):
        amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
        paid_on = serializers.DateField()
        reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: PaymentOutputSerializer, **error_responses(400, 404)})
    def post(self, request, pk: int):
        loan = get_object_or_404(Loan, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = loan_record_payment(loan=loan, actor=request.user, **data.validated_data)
        return Response(PaymentOutputSerializer(payment).data, status=status.HTTP_201_CREATED)
