"""The campaign form back office fills in the admin: choices to pick from, not JSON to type.

States are the ones customers have (each by its one name, ``customers.states``), the upload is one of the
last completed ones by name and date, the retry policy a small table with a number per outcome, and the
countries those the bot calls (``CALL_COUNTRIES``). What a campaign may be is still the model's and the
services' to say (``Campaign.clean``, ``campaign_create``, ``campaign_update``).
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from calls.models import (
    DIALLING_PROVIDERS,
    RETRY_AFTER_MINUTES_LIMIT,
    RETRY_MAX_RETRIES_LIMIT,
    Campaign,
    CampaignStatus,
    default_retry_policy,
)
from calls.reference_data import DISPOSITIONS
from calls.services.campaigns import AUDIENCE_FIELDS, CAMPAIGN_SETTINGS
from customers.models import Customer
from uploads.models import FileUpload, UploadStatus

# How many completed uploads the audience picker offers, newest first.
RECENT_UPLOADS = 50
_OUTCOME_LABELS = {code: label for code, label, *_ in DISPOSITIONS}
_COUNTRY_NAMES = {"IN": "India", "US": "United States"}
# (key in a retry rule, column heading, smallest, largest)
_RETRY_PARTS = (
    ("after_minutes", "Wait (minutes)", 1, RETRY_AFTER_MINUTES_LIMIT),
    ("max_retries", "Tries after that", 0, RETRY_MAX_RETRIES_LIMIT),
)


def upload_label(upload: FileUpload) -> str:
    """``#12 overdue.csv — 3 Nov 2026``: the upload's number, file name and the day it was processed."""
    moment = timezone.localtime(upload.finished_at or upload.created_at)
    return f"#{upload.pk} {upload.original_name} — {moment:%-d %b %Y}"


class StatesWidget(FilteredSelectMultiple):
    """The admin's two-list picker. Wrapped in a block of its own, as the admin wraps a many-to-many field's:
    the picker's script puts it first in its parent, which would otherwise put it before the field's label."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        return format_html('<div class="related-widget-wrapper">{}</div>', super().render(name, value, attrs, renderer))


class UploadChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FileUpload) -> str:
        return upload_label(obj)


class RetryPolicyWidget(forms.MultiWidget):
    """One row per outcome retried after (``default_retry_policy``): minutes to wait, and how many more tries."""

    def __init__(self, attrs=None):
        self.outcomes = tuple(default_retry_policy())
        widgets = {
            f"{outcome}_{part}": forms.NumberInput(attrs={"min": low, "max": high, "class": "retry-number"})
            for outcome in self.outcomes
            for part, _, low, high in _RETRY_PARTS
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list:
        policy = value if isinstance(value, dict) else {}
        return [(policy.get(outcome) or {}).get(part) for outcome in self.outcomes for part, *_ in _RETRY_PARTS]

    def render(self, name, value, attrs=None, renderer=None) -> str:
        subwidgets = self.get_context(name, value, attrs)["widget"]["subwidgets"]
        inputs = iter(
            widget.render(sub["name"], sub["value"], sub["attrs"], renderer)
            for widget, sub in zip(self.widgets, subwidgets, strict=True)
        )
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>",
            ((_OUTCOME_LABELS.get(outcome, outcome), next(inputs), next(inputs)) for outcome in self.outcomes),
        )
        heads = format_html_join("", "<th scope='col'>{}</th>", ((heading,) for _, heading, *_ in _RETRY_PARTS))
        return format_html(
            '<table class="retry-policy"><thead><tr><th scope="col">{}</th>{}</tr></thead><tbody>{}</tbody></table>',
            "After",
            heads,
            rows,
        )


class RetryPolicyField(forms.MultiValueField):
    """The retry policy as the table gives it: ``{"busy": {"after_minutes": 30, "max_retries": 2}, …}``; each
    error names its row and column."""

    widget = RetryPolicyWidget

    def __init__(self, **kwargs):
        self.cells = [
            (outcome, part, f"{_OUTCOME_LABELS.get(outcome, outcome)}, {heading.lower()}")
            for outcome in default_retry_policy()
            for part, heading, _, _ in _RETRY_PARTS
        ]
        bounds = {part: (low, high) for part, _, low, high in _RETRY_PARTS}
        fields = [forms.IntegerField(min_value=bounds[part][0], max_value=bounds[part][1]) for _, part, _ in self.cells]
        super().__init__(fields, require_all_fields=True, **kwargs)

    def clean(self, value: Any) -> dict:
        value = value if isinstance(value, list | tuple) else self.widget.decompress(value)
        if self.required and all(item in self.empty_values for item in value):
            raise forms.ValidationError(self.error_messages["required"], code="required")
        numbers, errors = [], []
        for (_, _, label), field, raw in zip(self.cells, self.fields, value, strict=True):
            if raw in self.empty_values:
                errors.append(f"{label}: {self.error_messages['required']}")
                continue
            try:
                numbers.append(field.clean(raw))
            except forms.ValidationError as error:
                errors.extend(f"{label}: {message}" for message in error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return self.compress(numbers)

    def compress(self, data_list: list) -> dict:
        policy: dict[str, dict[str, int]] = {}
        for (outcome, part, _), number in zip(self.cells, data_list, strict=True):
            policy.setdefault(outcome, {})[part] = number
        return policy


class CampaignAdminForm(forms.ModelForm):
    provider = forms.ChoiceField(
        choices=[("", "The default provider (CALLS_DEFAULT_PROVIDER)"), *DIALLING_PROVIDERS], required=False
    )
    audience_upload = UploadChoiceField(
        queryset=FileUpload.objects.none(),
        required=False,
        empty_label="Any customer (no upload)",
        help_text=f"Only the customers of this upload. The last {RECENT_UPLOADS} completed uploads, newest first.",
    )
    audience_states = forms.MultipleChoiceField(
        required=False,
        widget=StatesWidget("states", is_stacked=False),
        help_text="None chosen: every state. The states customers have now.",
    )
    retry_policy = RetryPolicyField(
        initial=default_retry_policy,
        help_text="After a busy line, no answer, a failure, a machine or someone else answering: wait this long, "
        "then try at most this many more times.",
    )
    phone_countries = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Countries whose numbers the bot calls. None ticked: all of them.",
    )

    class Meta:
        model = Campaign
        fields = CAMPAIGN_SETTINGS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.instance.audience_states or []
        if "audience_states" in self.fields:
            present = Customer.objects.exclude(state="").order_by("state").values_list("state", flat=True).distinct()
            self.fields["audience_states"].choices = [(state, state) for state in sorted({*present, *chosen})]
        if "audience_upload" in self.fields:
            recent = FileUpload.objects.filter(status=UploadStatus.COMPLETED, dry_run=False).order_by("-created_at")
            ids = [*recent.values_list("pk", flat=True)[:RECENT_UPLOADS]]
            if self.instance.audience_upload_id:
                ids.append(self.instance.audience_upload_id)  # an older one stays chosen
            self.fields["audience_upload"].queryset = FileUpload.objects.filter(pk__in=ids).order_by("-created_at")
        if "phone_countries" in self.fields:
            self.fields["phone_countries"].choices = [
                (code, f"{_COUNTRY_NAMES.get(code, code)} ({code})") for code in settings.CALL_COUNTRIES
            ]
        if self.instance.pk and self.instance.status != CampaignStatus.DRAFT:
            self._fix_audience()

    def _fix_audience(self) -> None:
        """Once started, whom the campaign calls is shown but not taken from the form (``campaign_update``
        refuses to change it too)."""
        for name in AUDIENCE_FIELDS:
            if name in self.fields:
                field = self.fields[name]
                field.disabled = True
                field.help_text = "Fixed once the campaign has started."
        # Plain widgets: the admin's pickers (two lists, a calendar) would offer changes that are not taken.
        if "audience_states" in self.fields:
            self.fields["audience_states"].widget = forms.SelectMultiple(
                choices=self.fields["audience_states"].choices, attrs={"size": 6}
            )
        for name in ("audience_due_from", "audience_due_to"):
            if name in self.fields:
                self.fields[name].widget = forms.DateInput()
