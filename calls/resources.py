"""The columns of call and promise-to-pay exports (declared here, streamed by common.exports)."""

from import_export import resources
from import_export.fields import Field

from calls.models import Call, PromiseToPay


class CallExportResource(resources.ModelResource):
    customer_name = Field(attribute="customer__full_name", column_name="customer_name")
    loan_number = Field(attribute="loan__loan_id", column_name="loan_id")
    campaign_name = Field(attribute="campaign__name", column_name="campaign")
    disposition_code = Field(attribute="disposition__code", column_name="disposition")

    class Meta:
        model = Call
        fields = export_order = (
            "id",
            "customer",
            "customer_name",
            "loan_number",
            "campaign_name",
            "disposition_code",
            "phone_dialled",
            "provider",
            "provider_call_id",
            "status",
            "attempt",
            "answered_by",
            "keypad",
            "duration_seconds",
            "scheduled_for",
            "started_at",
            "answered_at",
            "ended_at",
            "recording_url",
            "blocked_code",
            "blocked_reason",
        )


class PromiseExportResource(resources.ModelResource):
    customer_name = Field(attribute="customer__full_name", column_name="customer_name")
    customer_phone = Field(attribute="customer__phone", column_name="phone")
    loan_number = Field(attribute="loan__loan_id", column_name="loan_id")

    class Meta:
        model = PromiseToPay
        fields = export_order = (
            "id",
            "customer_name",
            "customer_phone",
            "loan_number",
            "amount",
            "promised_date",
            "grace_days",
            "status",
            "source_call",
            "created_at",
            "resolved_at",
        )
