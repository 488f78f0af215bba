from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery

from voiceassist.common.models import BaseModel

from .phones import phone_kind


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    HINDI = "hi", "Hindi"
    MARATHI = "mr", "Marathi"
    TAMIL = "ta", "Tamil"
    TELUGU = "te", "Telugu"
    KANNADA = "kn", "Kannada"
    BENGALI = "bn", "Bengali"
    GUJARATI = "gu", "Gujarati"


class CustomerQuerySet(models.QuerySet):
    def with_do_not_call(self) -> "CustomerQuerySet":
        """Annotate ``do_not_call`` (a suppression stops every call), with the newest one's reason and time."""
        stopping = Suppression.objects.active().filter(
            customer=OuterRef("pk"), kind__in=STOPS_EVERY_CALL, loan__isnull=True
        )
        newest = stopping.order_by("-created_at", "-id")
        return self.annotate(
            do_not_call=Exists(stopping),
            do_not_call_reason=Subquery(newest.values("reason")[:1]),
            do_not_call_at=Subquery(newest.values("created_at")[:1]),
        )


class PhoneType(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    LANDLINE = "landline", "Landline"
    MOBILE_OR_LANDLINE = "mobile_or_landline", "Mobile or landline (the number cannot tell)"
    OTHER = "other", "Other (toll-free, VoIP, unknown range)"


class Customer(BaseModel):
    """A person the bot may call, identified by their primary phone in E.164.

    One row per normalised phone, enforced by the database: two rows for one person would mean the
    bot dials them twice. Whether they may be called is not a field here: it is their suppressions.
    """

    full_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=16, help_text="Primary phone, E.164 (+919876543210).")
    alternate_phones = models.JSONField(default=list, blank=True)
    email = models.EmailField(blank=True)
    # What the primary phone says of itself (``phones.phone_kind``), set with the phone: a campaign decides
    # whether the bot calls landlines and other countries; a payment link by SMS needs a mobile.
    phone_type = models.CharField(
        max_length=20, choices=PhoneType.choices, default=PhoneType.MOBILE, db_default=PhoneType.MOBILE, editable=False
    )
    phone_country = models.CharField(max_length=2, blank=True, default="", db_default="", editable=False)
    state = models.CharField(max_length=64, blank=True, db_index=True)
    preferred_language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)

    first_uploaded_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_uploaded_at = models.DateTimeField(null=True, blank=True)

    # HMAC-SHA256 of the normalised national id (key in settings) and its last four characters.
    # The id itself is never stored.
    national_id_fingerprint = models.CharField(max_length=64, blank=True)
    national_id_last4 = models.CharField(max_length=4, blank=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "id"]
        constraints = [models.UniqueConstraint(fields=["phone"], name="customer_unique_phone")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.phone})"

    def save(self, *args, **kwargs) -> None:
        # What the phone says of itself follows the phone, however the customer is saved.
        if self.phone:
            kind = phone_kind(self.phone)
            if (self.phone_type, self.phone_country) != kind:
                self.phone_type, self.phone_country = kind
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "phone_type", "phone_country"}
        super().save(*args, **kwargs)


class LoanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SETTLED = "settled", "Settled (nothing outstanding)"
    PAID = "paid", "Paid"
    CLOSED = "closed", "Closed"
    WRITTEN_OFF = "written_off", "Written off"


def loan_status_for(*, status: str, outstanding: Decimal | None) -> str:
    """The status a loan takes when its outstanding amount becomes ``outstanding``.

    Nothing outstanding settles an active loan (it is never called about again); a settled loan that
    owes money again (a corrected file) is active again. Paid, closed and written-off loans keep
    their status: those are the lender's decisions, not arithmetic.
    """
    if outstanding is None:
        return status
    if status == LoanStatus.ACTIVE and outstanding <= 0:
        return LoanStatus.SETTLED
    if status == LoanStatus.SETTLED and outstanding > 0:
        return LoanStatus.ACTIVE
    return status


class Loan(BaseModel):
    """A loan, identified by the lender's loan id; its amounts and dates move with each upload."""

    loan_id = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="loans")
    principal_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    outstanding_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # The instalment due now (an EMI), where the lender's file says it: a promise's amount by default.
    amount_due = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    due_date = models.DateField(null=True, blank=True, db_index=True)
    days_past_due = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=LoanStatus.choices, default=LoanStatus.ACTIVE)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outstanding_amount__gte=0) | models.Q(outstanding_amount__isnull=True),
                name="loan_outstanding_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.loan_id


class PaymentSource(models.TextChoices):
    STAFF = "staff", "Recorded by staff or an integration"
    GATEWAY = "gateway", "A payment gateway's webhook"
    UPLOAD = "upload", "A lender's file"


class Payment(BaseModel):
    """Money received against a loan (a gateway's webhook, an integration, staff, or a lender's file).

    One reference is one payment per loan: a gateway's payment id, or the bank's reference, is taken
    once, whichever way it arrives first (the rule that keeps a file from counting a gateway's payment
    twice)."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    paid_on = models.DateField()
    # The moment, when the source tells it (a gateway does); else the start of ``paid_on``.
    paid_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True, help_text="The payer's or the bank's reference.")
    source = models.CharField(max_length=8, choices=PaymentSource.choices, default=PaymentSource.STAFF)
    gateway = models.CharField(max_length=16, blank=True, help_text="The gateway that reported it, if one did.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["loan", "reference"], condition=~models.Q(reference=""), name="payment_unique_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} on {self.paid_on} for {self.loan_id}"


class SuppressionKind(models.TextChoices):
    """Why a customer, a loan or a phone must not be called. Cleared only by back office."""

    DO_NOT_CALL = "do_not_call", "Do not call"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    STOP_CALLING = "stop_calling", "Asked the bot to stop calling"
    DISPUTE = "dispute", "Dispute"
    DECEASED = "deceased", "Deceased"
    BANKRUPTCY = "bankruptcy", "Bankruptcy"
    ATTORNEY = "attorney", "Represented by an attorney"


# Kinds that stop every call to the customer, by anyone (what "do not call" means on a customer).
STOPS_EVERY_CALL = (
    SuppressionKind.DO_NOT_CALL,
    SuppressionKind.DECEASED,
    SuppressionKind.BANKRUPTCY,
    SuppressionKind.ATTORNEY,
)
# Kinds that concern one loan when a loan is named (else all of the customer's loans).
PER_LOAN = (SuppressionKind.DISPUTE, SuppressionKind.ATTORNEY)
# Kinds only back office may set (agents and integrations set the others).
BACK_OFFICE_ONLY = (SuppressionKind.DECEASED, SuppressionKind.BANKRUPTCY, SuppressionKind.ATTORNEY)


class SuppressionSource(models.TextChoices):
    OUTCOME = "outcome", "A call's outcome"
    AGENT = "agent", "An agent"
    API = "api", "The API"
    ADMIN = "admin", "Back office"


class SuppressionQuerySet(models.QuerySet):
    def active(self) -> "SuppressionQuerySet":
        return self.filter(cleared_at__isnull=True)


class Suppression(BaseModel):
    """One reason not to call: set with a reason by an outcome, an agent, the API or the admin.

    ``loan`` narrows a dispute (or an attorney) to one loan; ``phone`` is the number a wrong-number
    report was about: it stops calls only while the customer still has that number.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="suppressions")
    kind = models.CharField(max_length=16, choices=SuppressionKind.choices)
    loan = models.ForeignKey("Loan", null=True, blank=True, on_delete=models.CASCADE, related_name="suppressions")
    phone = models.CharField(max_length=16, blank=True, help_text="For a wrong number: the number it was about.")
    reason = models.CharField(max_length=300)
    source = models.CharField(max_length=8, choices=SuppressionSource.choices)
    reference = models.CharField(max_length=64, blank=True, help_text="What set it, e.g. the call.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clear_reason = models.CharField(max_length=300, blank=True)

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer"], condition=Q(cleared_at__isnull=True), name="suppression_active_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="wrong_number") | ~Q(phone=""), name="suppression_wrong_number_has_phone"
            ),
        ]

    def __str__(self) -> str:
        scope = f" on loan {self.loan}" if self.loan_id else ""
        return f"{self.get_kind_display()}{scope}: {self.reason}"

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None
