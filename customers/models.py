from django.conf import settings
from django.db import models

from voiceassist.common.models import BaseModel


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    HINDI = "hi", "Hindi"
    MARATHI = "mr", "Marathi"
    TAMIL = "ta", "Tamil"
    TELUGU = "te", "Telugu"
    KANNADA = "kn", "Kannada"
    BENGALI = "bn", "Bengali"
    GUJARATI = "gu", "Gujarati"


class Customer(BaseModel):
    """A person the bot may call, identified by their primary phone in E.164.

    One row per normalised phone, enforced by the database: two rows for one person would mean the
    bot dials them twice.
    """

    full_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=16, help_text="Primary phone, E.164 (+919876543210).")
    alternate_phones = models.JSONField(default=list, blank=True)
    email = models.EmailField(blank=True)
    state = models.CharField(max_length=64, blank=True, db_index=True)
    preferred_language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)

    first_uploaded_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_uploaded_at = models.DateTimeField(null=True, blank=True)

    do_not_call = models.BooleanField(default=False)
    do_not_call_reason = models.CharField(max_length=300, blank=True)
    do_not_call_at = models.DateTimeField(null=True, blank=True)

    # HMAC-SHA256 of the normalised national id (key in settings) and its last four characters.
    # The id itself is never stored.
    national_id_fingerprint = models.CharField(max_length=64, blank=True)
    national_id_last4 = models.CharField(max_length=4, blank=True)

    class Meta:
        ordering = ["full_name", "id"]
        constraints = [models.UniqueConstraint(fields=["phone"], name="customer_unique_phone")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.phone})"


class LoanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAID = "paid", "Paid"
    CLOSED = "closed", "Closed"
    WRITTEN_OFF = "written_off", "Written off"


class Loan(BaseModel):
    """A loan, identified by the lender's loan id; its amounts and dates move with each upload."""

    loan_id = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="loans")
    principal_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    outstanding_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
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


class Payment(BaseModel):
    """Money received against a loan (posted by an integration or staff); lowers what it still owes."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    paid_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True, help_text="The payer's or the bank's reference.")
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
