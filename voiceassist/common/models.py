from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class BaseModel(models.Model):
    """Every model's timestamps: set by the database layer, always timezone-aware."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    """Every action the audit trail records, in words back office reads. A service records only these
    (a test reads every ``audit_event_record`` call in the code and checks its action is here)."""

    API_TOKEN_CREATED = "api_token.created", "API token created"
    API_TOKEN_REVOKED = "api_token.revoked", "API token revoked"
    LOGIN_LOCKED_OUT = "login.locked_out", "Log-in locked out"
    CUSTOMER_CREATED = "customer.created", "Customer added"
    CUSTOMER_EDITED = "customer.edited", "Customer edited"
    LOAN_CREATED = "loan.created", "Loan added"
    LOAN_EDITED = "loan.edited", "Loan edited"
    LOAN_PAYMENT_RECORDED = "loan.payment_recorded", "Payment recorded"
    SUPPRESSION_SET = "suppression.set", "Calls stopped (suppression set)"
    SUPPRESSION_CLEARED = "suppression.cleared", "Suppression cleared"
    UPLOAD_STARTED = "upload.started", "Upload started"
    UPLOAD_CONFIRMED = "upload.confirmed", "Upload confirmed"
    UPLOAD_COLUMNS_MAPPED = "upload.columns_mapped", "Upload's columns mapped"
    UPLOAD_NAME_CONFLICT_ACCEPTED = "upload.name_conflict_accepted", "Held row accepted (renamed)"
    UPLOAD_NAME_CONFLICT_REJECTED = "upload.name_conflict_rejected", "Held row rejected"
    UPLOAD_REVERT_REQUESTED = "upload.revert_requested", "Upload revert requested"
    UPLOAD_REVERTED = "upload.reverted", "Upload reverted"
    UPLOAD_FILE_PURGED = "upload.file_purged", "Upload's file deleted (retention)"
    COLUMN_PROFILE_CREATED = "column_profile.created", "Column profile added"
    COLUMN_PROFILE_UPDATED = "column_profile.updated", "Column profile changed"
    EXPORT_REQUESTED = "export.requested", "Export requested"
    CAMPAIGN_CREATED = "campaign.created", "Campaign created"
    CAMPAIGN_UPDATED = "campaign.updated", "Campaign changed"
    CAMPAIGN_STARTED = "campaign.started", "Campaign started"
    CAMPAIGN_PAUSED = "campaign.paused", "Campaign paused"
    CAMPAIGN_RESUMED = "campaign.resumed", "Campaign resumed"
    CAMPAIGN_COMPLETED = "campaign.completed", "Campaign completed"
    CALL_ADHOC_SCHEDULED = "call.adhoc_scheduled", "Call requested (outside a campaign)"
    CALL_CANCELED = "call.canceled", "Call canceled"
    CALL_OUTCOME_LOGGED = "call.outcome_logged", "Agent's call logged"
    CALLBACK_SCHEDULED = "callback.scheduled", "Callback scheduled"
    PROMISE_RECORDED = "promise.recorded", "Promise to pay recorded"
    WORK_ITEM_CLAIMED = "work_item.claimed", "Follow-up taken"
    WORK_ITEM_COMPLETED = "work_item.completed", "Follow-up done"
    PAYMENT_LINK_CREATED = "payment_link.created", "Payment link created"
    PAYMENT_LINK_SMS_SENT = "payment_link.sms_sent", "Payment link sent by SMS"
    PAYMENT_LINK_SMS_FAILED = "payment_link.sms_failed", "Payment link SMS failed"
    PAYMENT_LINK_PAID = "payment_link.paid", "Payment link paid"
    PAYMENT_LINK_PARTLY_PAID = "payment_link.partly_paid", "Payment link partly paid"
    PAYMENT_LINK_EXPIRED = "payment_link.expired", "Payment link expired"
    PAYMENT_LINK_CANCELLED = "payment_link.cancelled", "Payment link cancelled"


class AuditEvent(models.Model):
    """Who did what to which object, and when. Written by services, never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64, choices=AuditAction.choices, db_index=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    target_repr = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        who = self.actor.get_username() if self.actor_id else "system"
        return f"{self.created_at:%Y-%m-%d %H:%M} {who} {self.action} {self.target_repr}"


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the periodic heartbeat task (one row per worker host)."""

    hostname = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
