"""Customers and loans over the API: find them, read them, mark do-not-call, record payments.

National ids leave only as their last four characters; the fingerprint never leaves the database.
"""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.models import Customer, Loan, LoanStatus, Payment
from customers.selectors import customer_find, customer_list, loan_list
from customers.services import customer_mark_do_not_call, loan_record_payment
from voiceassist.common.api import ApiPagination, IdFilter, agent_or_model_permission, error_responses
from voiceassist.common.permissions import model_permission

CanViewCustomers = agent_or_model_permission("customers.view_customer")
CanMarkDoNotCall = agent_or_model_permission("customers.view_customer", "customers.change_customer")
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


class CustomerDetailOutputSerializer(CustomerOutputSerializer):
    entries_url = serializers.SerializerMethodField(help_text="The customer's upload timeline.")

    class Meta(CustomerOutputSerializer.Meta):
        fields = [
            *CustomerOutputSerializer.Meta.fields,
            "do_not_call_reason",
            "do_not_call_at",
            "first_uploaded_at",
            "last_uploaded_at",
            "entries_url",
        ]

    def get_entries_url(self, customer: Customer) -> str:
        path = reverse("api-customer-entries", args=[customer.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CustomerSummarySerializer(serializers.ModelSerializer):
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
    state = filters.CharFilter(lookup_expr="iexact", max_length=64)
    do_not_call = filters.BooleanFilter()

    class Meta:
        model = Customer
        fields = ["q", "state", "do_not_call"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(pk__in=customer_find(query=value).values("pk")) if value.strip() else queryset


class CustomerListApi(ListAPIView):
    """Customers, by name; ``?q=`` finds one by phone (any format), loan id or part of the name."""

    permission_classes = [CanViewCustomers]
    serializer_class = CustomerOutputSerializer
    pagination_class = ApiPagination
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
    """Stop every future call to the customer; the reason is kept with the audit trail."""

    parser_classes = [JSONParser]
    permission_classes = [CanMarkDoNotCall]

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
        customer_mark_do_not_call(customer=customer, reason=data.validated_data["reason"], actor=request.user)
        customer = get_object_or_404(customer_list(), pk=pk)
        return Response(CustomerDetailOutputSerializer(customer, context={"request": request}).data)


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
    pagination_class = ApiPagination
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
