"""Campaigns over the API: list, create and read them, start, pause, resume and complete them, their figures."""

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from calls.figures import figures_compute
from calls.models import DIALLING_PROVIDERS, Campaign, CampaignStatus, MachineMessage
from calls.selectors import campaign_list
from calls.services.campaigns import (
    CAMPAIGN_SETTINGS,
    campaign_complete,
    campaign_create,
    campaign_pause,
    campaign_resume,
    campaign_start,
)
from uploads.models import FileUpload
from voiceassist.common.api import LocalTimeField, error_responses
from voiceassist.common.permissions import model_permission

from .figures import CampaignMetricsOutputSerializer, FiguresQuerySerializer, figures_period

CanViewCampaigns = model_permission("calls.view_campaign")
CanAddCampaigns = model_permission("calls.view_campaign", "calls.add_campaign")
CanChangeCampaigns = model_permission("calls.view_campaign", "calls.change_campaign")


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
        # Every setting a campaign has (``CAMPAIGN_SETTINGS``, the one list), and what its life adds.
        fields = [
            "id",
            "status",
            "status_display",
            *CAMPAIGN_SETTINGS,
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


class CampaignListApi(ListAPIView):
    """Campaigns, newest first (``?status=``)."""

    permission_classes = [CanViewCampaigns]
    serializer_class = CampaignOutputSerializer
    filterset_class = CampaignFilter

    def get_queryset(self):
        return campaign_list()

    @extend_schema(responses={200: CampaignOutputSerializer(many=True), **error_responses(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CampaignCreateApi(APIView):
    """Create a draft campaign: it dials nobody until it is started."""

    parser_classes = [JSONParser]
    permission_classes = [CanAddCampaigns]

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
        figures = figures_compute(campaign=campaign, **figures_period(request))
        return Response(CampaignMetricsOutputSerializer(figures).data)
