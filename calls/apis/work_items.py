"""The agents' queue over the API: list follow-ups, claim one, complete one."""

from django import forms
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from calls.models import WorkItem, WorkItemKind
from calls.selectors import work_item_list
from calls.services.work_items import work_item_claim, work_item_complete
from customers.apis import CustomerSummarySerializer
from voiceassist.common.api import IdFilter, agent_or_model_permission, error_responses

CanViewWorkItems = agent_or_model_permission("calls.view_workitem")
CanWorkWorkItems = agent_or_model_permission("calls.view_workitem", "calls.change_workitem")


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
