"""Campaigns, calls, promises to pay and the agents' work items over the API.

(The provider-facing webhook and voice endpoints live in ``calls/apis.py``; they authenticate by signature.)
"""

from datetime import timedelta

from django import forms
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from calls.figures import figures_compute
from calls.models import (
    DIALLING_PROVIDERS,
    Call,
    CallEvent,
    CallStatus,
    Campaign,
    CampaignStatus,
    Disposition,
    MachineMessage,
    PromiseStatus,
    PromiseToPay,
    WorkItem,
    WorkItemKind,
)
from calls.selectors import (
    call_detail_queryset,
    call_list,
    campaign_list,
    promise_list,
    work_item_list,
)
from calls.services.agents import work_item_claim, work_item_complete
from calls.services.api import call_request_adhoc, campaign_create
from calls.services.campaigns import campaign_complete, campaign_pause, campaign_resume, campaign_start
from calls.services.promises import promise_create
from customers.apis import CustomerSummarySerializer
from customers.models import Customer, Loan
from uploads.models import FileUpload
from voiceassist.common.api import ApiPagination, IdFilter, LocalTimeField, agent_or_model_permission, error_responses
from voiceassist.common.permissions import model_permission

CanViewCampaigns = model_permission("calls.view_campaign")
CanAddCampaigns = model_permission("calls.view_campaign", "calls.add_campaign")
CanChangeCampaigns = model_permission("calls.view_campaign", "calls.change_campaign")
CanViewCalls = agent_or_model_permission("calls.view_call")
CanScheduleCalls = model_permission("calls.view_call", "calls.add_call")
CanViewPromises = agent_or_model_permission("calls.view_promisetopay")
CanAddPromises = agent_or_model_permission("calls.view_promisetopay", "calls.add_promisetopay")
CanViewWorkItems = agent_or_model_permission("calls.view_workitem")
CanWorkWorkItems = agent_or_model_permission("calls.view_workitem", "calls.change_workitem")

# How far ahead a call or a promise may be placed: far enough for any plan, near enough for date arithmetic.
MAX_AHEAD = timedelta(days=366)
# A call asked for "at" a moment this recently past is still taken (clocks differ a little): it is due at once.
CLOCK_SKEW = timedelta(minutes=5)


# --- Campaigns ---------------------------------------------------------------------------------


class CampaignOutputSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    audience_left_out = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Customers of the audience the bot has no script for, by language code "
        "(filled when the campaign starts).",
    )
    window_start = LocalTimeField(read_only=True)
    window_end = LocalTimeField(read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "status",
            "status_display",
            "provider",
            "audience_upload",
            "audience_states",
            "audience_due_from",
            "audience_due_to",
            "audience_min_days_past_due",
            "audience_max_days_past_due",
            "window_start",
            "window_end",
            "max_attempts",
            "retry_policy",
            "lender_name",
            "contact_person",
            "callback_number",
            "transfer_number",
            "record_calls",
            "machine_message",
            "second_check",
            "call_landlines",
            "phone_countries",
            "audience_left_out",
            "created_by",
            "created_at",
            "updated_at",
            "started_at",
            "completed_at",
        ]


class CampaignStartOutputSerializer(CampaignOutputSerializer):
    calls_scheduled = serializers.IntegerField(read_only=True, help_text="Calls scheduled by this start.")

    class Meta(CampaignOutputSerializer.Meta):
        fields = [*CampaignOutputSerializer.Meta.fields, "calls_scheduled"]


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


def _figures_period(request) -> dict:
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


class CampaignFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields = ["status"]


class RetryRuleSerializer(serializers.Serializer):
    after_minutes = serializers.IntegerField(min_value=1, max_value=7 * 24 * 60, help_text="Wait this long.")
    max_retries = serializers.IntegerField(min_value=0, max_value=10, help_text="At most this many more tries.")


class RetryPolicySerializer(serializers.Serializer):
    """Per telephony outcome; an outcome left out keeps its default."""

    busy = RetryRuleSerializer(required=False)
    no_answer = RetryRuleSerializer(required=False)
    failed = RetryRuleSerializer(required=False)
    machine = RetryRuleSerializer(required=False)


class CampaignListCreateApi(ListAPIView):
    """Campaigns, newest first (``?status=``); or create a draft one."""

    parser_classes = [JSONParser]
    serializer_class = CampaignOutputSerializer
    pagination_class = ApiPagination
    filterset_class = CampaignFilter

    @extend_schema_serializer(component_name="CampaignCreateInput")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        provider = serializers.ChoiceField(
            choices=DIALLING_PROVIDERS,
            required=False,
            allow_blank=True,
            default="",
            help_text="Empty: the provider in settings.",
        )
        audience_upload = serializers.PrimaryKeyRelatedField(
            queryset=FileUpload.objects.all(), required=False, allow_null=True, default=None
        )
        audience_states = serializers.ListField(
            child=serializers.CharField(max_length=64), required=False, default=list, max_length=50
        )
        audience_due_from = serializers.DateField(required=False, allow_null=True, default=None)
        audience_due_to = serializers.DateField(required=False, allow_null=True, default=None)
        audience_min_days_past_due = serializers.IntegerField(
            min_value=0, max_value=100_000, required=False, allow_null=True, default=None
        )
        audience_max_days_past_due = serializers.IntegerField(
            min_value=0, max_value=100_000, required=False, allow_null=True, default=None
        )
        window_start = LocalTimeField(
            required=False, help_text="Customer's local time; the legal window always applies too."
        )
        window_end = LocalTimeField(required=False, help_text="Must be after window_start.")
        max_attempts = serializers.IntegerField(min_value=1, max_value=20, required=False)
        retry_policy = RetryPolicySerializer(required=False)
        lender_name = serializers.CharField(
            max_length=100, required=False, allow_blank=True, default="", help_text="Empty: VOICE_LENDER_NAME."
        )
        contact_person = serializers.CharField(
            max_length=100, required=False, allow_blank=True, default="", help_text="Empty: VOICE_CONTACT_PERSON."
        )
        callback_number = serializers.CharField(
            max_length=20, required=False, allow_blank=True, default="", help_text="Empty: VOICE_CALLBACK_NUMBER."
        )
        transfer_number = serializers.CharField(
            max_length=20, required=False, allow_blank=True, default="", help_text="Empty: VOICE_TRANSFER_NUMBER."
        )
        record_calls = serializers.BooleanField(
            required=False, default=False, help_text="The recording notice is said first."
        )
        machine_message = serializers.ChoiceField(
            choices=MachineMessage.choices, required=False, default=MachineMessage.NONE
        )
        second_check = serializers.BooleanField(
            required=False, default=False, help_text="Also ask for the last 4 digits of the loan number."
        )
        call_landlines = serializers.BooleanField(
            required=False, default=True, help_text="Call customers whose phone is a landline."
        )
        phone_countries = serializers.ListField(
            child=serializers.CharField(max_length=2),
            required=False,
            default=list,
            help_text="Countries whose numbers the bot calls (ISO codes, e.g. IN); empty: every country in "
            "CALL_COUNTRIES.",
        )

    def get_permissions(self):
        return [(CanAddCampaigns if self.request.method == "POST" else CanViewCampaigns)()]

    def get_queryset(self):
        return campaign_list()

    @extend_schema(responses={200: CampaignOutputSerializer(many=True), **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=InputSerializer, responses={201: CampaignOutputSerializer, **error_responses(400)})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = campaign_create(actor=request.user, **data.validated_data)
        return Response(CampaignOutputSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    permission_classes = [CanViewCampaigns]

    @extend_schema(responses={200: CampaignOutputSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        return Response(CampaignOutputSerializer(get_object_or_404(campaign_list(), pk=pk)).data)


class CampaignStartApi(APIView):
    """Schedule a call for every loan of the audience and set the campaign running (drafts only)."""

    parser_classes = [JSONParser]
    permission_classes = [CanChangeCampaigns]

    @extend_schema(request=None, responses={200: CampaignStartOutputSerializer, **error_responses(400, 404)})
    def post(self, request, pk: int):
        campaign = get_object_or_404(Campaign, pk=pk)
        scheduled = campaign_start(campaign=campaign, actor=request.user)
        campaign = get_object_or_404(campaign_list(), pk=pk)
        campaign.calls_scheduled = scheduled
        return Response(CampaignStartOutputSerializer(campaign).data)


class _CampaignActionApi(APIView):
    parser_classes = [JSONParser]
    permission_classes = [CanChangeCampaigns]
    service: staticmethod  # the campaign service each subclass runs

    @extend_schema(request=None, responses={200: CampaignOutputSerializer, **error_responses(400, 404)})
    def post(self, request, pk: int):
        campaign = self.service(campaign=get_object_or_404(Campaign, pk=pk), actor=request.user)
        return Response(CampaignOutputSerializer(campaign).data)


class CampaignPauseApi(_CampaignActionApi):
    """Stop dialling (running campaigns): scheduled calls wait, calls on the line finish."""

    service = staticmethod(campaign_pause)


class CampaignResumeApi(_CampaignActionApi):
    """Dial again (paused campaigns)."""

    service = staticmethod(campaign_resume)


class CampaignCompleteApi(_CampaignActionApi):
    """End the campaign; calls not yet placed are canceled. Completing a completed campaign changes nothing."""

    service = staticmethod(campaign_complete)


class CampaignMetricsApi(APIView):
    """The campaign's figures for calls started between ``from`` and ``to``: attempts, connects,
    right-party contacts, promises and what became of them, collected, cost per call, and breakdowns."""

    permission_classes = [CanViewCampaigns]

    @extend_schema(
        parameters=[FiguresQuerySerializer],
        responses={200: CampaignMetricsOutputSerializer, **error_responses(400, 404)},
    )
    def get(self, request, pk: int):
        campaign = get_object_or_404(Campaign, pk=pk)
        figures = figures_compute(campaign=campaign, **_figures_period(request))
        return Response(CampaignMetricsOutputSerializer(figures).data)


class FiguresApi(APIView):
    """The same figures over every call (of any campaign, or none), for calls started between ``from`` and ``to``."""

    permission_classes = [CanViewCampaigns]

    @extend_schema(
        parameters=[FiguresQuerySerializer],
        responses={200: CampaignMetricsOutputSerializer, **error_responses(400)},
    )
    def get(self, request):
        return Response(CampaignMetricsOutputSerializer(figures_compute(**_figures_period(request))).data)


# --- Calls -------------------------------------------------------------------------------------


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


class CallListCreateApi(ListAPIView):
    """Calls, newest first; or schedule one ad-hoc call, which the compliance guard may refuse (400)."""

    parser_classes = [JSONParser]
    serializer_class = CallOutputSerializer
    pagination_class = ApiPagination
    filterset_class = CallFilter

    @extend_schema_serializer(component_name="CallScheduleInput")
    class InputSerializer(serializers.Serializer):
        customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
        loan = serializers.PrimaryKeyRelatedField(
            queryset=Loan.objects.all(), required=False, allow_null=True, default=None
        )
        at = serializers.DateTimeField(
            required=False, allow_null=True, default=None, help_text="When to call; empty: now."
        )

        def validate_at(self, value):
            if value is None:
                return value
            now = timezone.now()
            if value < now - CLOCK_SKEW:
                raise serializers.ValidationError("The time is in the past.")
            if value > now + MAX_AHEAD:
                raise serializers.ValidationError("The time is more than a year ahead.")
            return value

    def get_permissions(self):
        return [(CanScheduleCalls if self.request.method == "POST" else CanViewCalls)()]

    def get_queryset(self):
        return call_list()

    @extend_schema(responses={200: CallOutputSerializer(many=True), **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=InputSerializer, responses={201: CallDetailOutputSerializer, **error_responses(400)})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call = call_request_adhoc(actor=request.user, **data.validated_data)
        call = get_object_or_404(call_detail_queryset(), pk=call.pk)
        return Response(CallDetailOutputSerializer(call).data, status=status.HTTP_201_CREATED)


class CallDetailApi(APIView):
    permission_classes = [CanViewCalls]

    @extend_schema(responses={200: CallDetailOutputSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        return Response(CallDetailOutputSerializer(get_object_or_404(call_detail_queryset(), pk=pk)).data)


# --- Promises to pay ---------------------------------------------------------------------------


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


class PromiseListCreateApi(ListAPIView):
    """Promises to pay, soonest first; or record one made to an agent or an integration."""

    parser_classes = [JSONParser]
    serializer_class = PromiseOutputSerializer
    pagination_class = ApiPagination
    filterset_class = PromiseFilter

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
        grace_days = serializers.IntegerField(min_value=0, max_value=30, required=False)

    def get_permissions(self):
        return [(CanAddPromises if self.request.method == "POST" else CanViewPromises)()]

    def get_queryset(self):
        return promise_list()

    @extend_schema(responses={200: PromiseOutputSerializer(many=True), **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=InputSerializer, responses={201: PromiseOutputSerializer, **error_responses(400)})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        promise = promise_create(actor=request.user, **data.validated_data)
        return Response(PromiseOutputSerializer(promise).data, status=status.HTTP_201_CREATED)


# --- Work items (the agents' queue) ------------------------------------------------------------


class WorkItemOutputSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    customer_detail = CustomerSummarySerializer(source="customer", read_only=True)
    claimed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "kind",
            "kind_display",
            "customer",
            "customer_detail",
            "loan",
            "call",
            "promise",
            "due_at",
            "note",
            "claimed_by",
            "claimed_at",
            "done_at",
            "created_at",
        ]


class WorkItemFilter(filters.FilterSet):
    done = filters.BooleanFilter(
        method="filter_done", label="true: the finished ones (latest first); default: the open ones."
    )
    kind = filters.ChoiceFilter(choices=WorkItemKind.choices)
    customer = IdFilter(field_name="customer_id")

    class Meta:
        model = WorkItem
        fields = ["done", "kind", "customer"]

    def filter_done(self, queryset, name, value):
        return queryset  # open or done is chosen by the view's selector (see WorkItemListApi.get_queryset)


class WorkItemListApi(ListAPIView):
    """The agents' queue: open follow-ups, soonest due first; ``?done=true`` for the finished ones."""

    permission_classes = [CanViewWorkItems]
    serializer_class = WorkItemOutputSerializer
    pagination_class = ApiPagination
    filterset_class = WorkItemFilter

    def get_queryset(self):
        done = forms.NullBooleanField().to_python(self.request.query_params.get("done"))
        return work_item_list(done=bool(done))

    @extend_schema(responses={200: WorkItemOutputSerializer(many=True), **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class WorkItemClaimApi(APIView):
    """Take a follow-up so no other agent works it too; claiming one's own again is harmless."""

    parser_classes = [JSONParser]
    permission_classes = [CanWorkWorkItems]

    @extend_schema(request=None, responses={200: WorkItemOutputSerializer, **error_responses(400, 404)})
    def post(self, request, pk: int):
        item = work_item_claim(item=get_object_or_404(WorkItem, pk=pk), agent=request.user)
        return Response(WorkItemOutputSerializer(get_object_or_404(work_item_list(done=False), pk=item.pk)).data)


class WorkItemCompleteApi(APIView):
    """Mark a follow-up done (claiming it first if nobody has), with an optional note."""

    parser_classes = [JSONParser]
    permission_classes = [CanWorkWorkItems]

    @extend_schema_serializer(component_name="WorkItemCompleteInput")
    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={200: WorkItemOutputSerializer, **error_responses(400, 404)})
    def post(self, request, pk: int):
        item = get_object_or_404(WorkItem, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = work_item_complete(item=item, agent=request.user, note=data.validated_data["note"])
        return Response(WorkItemOutputSerializer(get_object_or_404(work_item_list(done=True), pk=item.pk)).data)
