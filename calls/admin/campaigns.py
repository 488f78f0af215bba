"""Campaigns in the back office: created, changed and moved through their lifecycle by the campaign services,
each with its audience previewed and its figures; the figures page of every call hangs off it too."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from voiceassist.common.admin import admin_clipped, admin_day, admin_run_service
from voiceassist.common.exceptions import ApplicationError

from ..forms import CampaignAdminForm, upload_label
from ..models import Campaign, CampaignStatus
from ..services.audience import campaign_audience_preview, campaign_left_out
from ..services.campaigns import (
    CAMPAIGN_SETTINGS,
    CAMPAIGN_TRANSITIONS,
    campaign_complete,
    campaign_create,
    campaign_pause,
    campaign_resume,
    campaign_start,
    campaign_update,
)
from .campaign_audience import audience_preview_html, left_out_words
from .figures_range import figures_context

# The campaign's own page: its next steps, as buttons (the transitions map decides which are shown).
_LIFECYCLE = {
    "start": ("Start", campaign_start, CampaignStatus.RUNNING, ""),
    "pause": ("Pause", campaign_pause, CampaignStatus.PAUSED, ""),
    "resume": ("Resume", campaign_resume, CampaignStatus.RUNNING, ""),
    "complete": (
        "Complete",
        campaign_complete,
        CampaignStatus.COMPLETED,
        "Complete this campaign? Calls not yet placed will be canceled.",
    ),
}


def _lifecycle_steps(campaign: Campaign) -> list[str]:
    """Start or resume (whichever moves it to running from where it is), pause, complete."""
    steps = []
    for step, (_, _, to, _) in _LIFECYCLE.items():
        if to not in CAMPAIGN_TRANSITIONS[campaign.status]:
            continue
        if step == "start" and campaign.status != CampaignStatus.DRAFT:
            continue
        if step == "resume" and campaign.status != CampaignStatus.PAUSED:
            continue
        steps.append(step)
    return steps


def _error_words(exc: ApplicationError | ValidationError) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    return " ".join(exc.messages)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns are created and changed through the campaign services (checked and audited like the API's);
    a started campaign's audience is shown, not edited (``CampaignAdminForm``); a completed one is only read."""

    form = CampaignAdminForm
    list_display = ("campaign_name", "status", "provider", "audience", "calling_hours", "started")
    list_filter = ("status", "provider")
    list_select_related = ("audience_upload",)
    search_fields = ("name",)
    readonly_fields = ("status", "started_at", "completed_at", "created_by", "left_out", "audience_preview")
    change_form_template = "admin/calls/campaign/change_form.html"
    actions = ["start", "pause", "resume", "complete"]
    fieldsets = (
        (None, {"fields": ("name", "status", "provider")}),
        (
            "Audience",
            {
                "fields": (
                    "audience_upload",
                    "audience_states",
                    ("audience_due_from", "audience_due_to"),
                    ("audience_min_days_past_due", "audience_max_days_past_due"),
                    "audience_preview",
                    "left_out",
                )
            },
        ),
        (
            "Calling",
            {
                "fields": (
                    ("window_start", "window_end"),
                    "max_attempts",
                    "retry_policy",
                    ("call_landlines", "phone_countries"),
                )
            },
        ),
        (
            "Conversation",
            {
                "description": "Empty texts: the defaults in settings (VOICE_LENDER_NAME, VOICE_CONTACT_PERSON, "
                "VOICE_CALLBACK_NUMBER, VOICE_TRANSFER_NUMBER).",
                "fields": (
                    "lender_name",
                    "contact_person",
                    "callback_number",
                    "transfer_number",
                    "record_calls",
                    "machine_message",
                    "second_check",
                ),
            },
        ),
        ("Progress", {"fields": ("created_by", "started_at", "completed_at")}),
    )

    @admin.display(description="Name", ordering="name")
    def campaign_name(self, campaign: Campaign) -> str:
        return admin_clipped(campaign.name)

    @admin.display(description="Upload", ordering="audience_upload")
    def audience(self, campaign: Campaign) -> str:
        if campaign.audience_upload is None:
            return "—"
        return admin_clipped(upload_label(campaign.audience_upload), width="narrow")

    @admin.display(description="Calling hours")
    def calling_hours(self, campaign: Campaign) -> str:
        return f"{campaign.window_start:%H:%M}–{campaign.window_end:%H:%M}"

    @admin.display(description="Started", ordering="started_at")
    def started(self, campaign: Campaign) -> str:
        return admin_day(campaign.started_at)

    @admin.display(description="Left out (no script in their language)")
    def left_out(self, campaign: Campaign) -> str:
        """A draft's audience as it stands now; a started campaign's as it was when it started."""
        if not campaign.pk:
            return "—"
        if campaign.status == CampaignStatus.DRAFT:
            return left_out_words(campaign_left_out(campaign=campaign))
        return left_out_words(campaign.audience_left_out or {})

    @admin.display(description="Audience today")
    def audience_preview(self, campaign: Campaign) -> str:
        """Before the start: the audience's size, and whom the guard would hold back today."""
        if not campaign.pk or campaign.status != CampaignStatus.DRAFT:
            return "—"
        return audience_preview_html(campaign_audience_preview(campaign=campaign))

    def get_fieldsets(self, request, obj=None):
        """The audience preview is shown on a saved draft only: it is what starting it now would meet."""
        if obj is not None and obj.status == CampaignStatus.DRAFT:
            return self.fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "audience_preview"]})
            for name, options in self.fieldsets
        ]

    def get_urls(self):
        step = self.admin_site.admin_view(require_POST(self.lifecycle_view))
        return [
            path("figures/", self.admin_site.admin_view(self.figures_view), name="calls_campaign_figures"),
            path("<path:object_id>/lifecycle/<slug:step>/", step, name="calls_campaign_lifecycle"),
            *super().get_urls(),
        ]

    def changeform_view(self, request: HttpRequest, object_id=None, form_url="", extra_context=None):
        """A refusal of the services while saving (the campaign started meanwhile, say) is told, not a crash."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ApplicationError, ValidationError) as exc:
            self.message_user(request, _error_words(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        campaign = self.get_object(request, object_id)
        if campaign is not None and request.method == "GET":
            steps = _lifecycle_steps(campaign) if self.has_change_permission(request) else []
            lifecycle = [
                {
                    "label": _LIFECYCLE[step][0],
                    "url": reverse("admin:calls_campaign_lifecycle", args=[campaign.pk, step]),
                    "confirm": _LIFECYCLE[step][3],
                }
                for step in steps
            ]
            extra_context = {
                **(extra_context or {}),
                **figures_context(request, campaign=campaign),
                "lifecycle": lifecycle,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def lifecycle_view(self, request: HttpRequest, object_id: str, step: str) -> HttpResponseRedirect:
        """Start, pause, resume or complete one campaign from its own page, through its service."""
        if step not in _LIFECYCLE:
            raise Http404
        if not self.has_change_permission(request):
            raise PermissionDenied
        campaign = self.get_object(request, unquote(object_id))
        if campaign is None:
            raise Http404
        _, service, _, _ = _LIFECYCLE[step]
        try:
            result = service(campaign=campaign, actor=request.user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            campaign.refresh_from_db()
            done = f"Campaign “{campaign.name}” is {campaign.get_status_display().lower()}."
            if step == "start":
                done += f" {result:,} call{'' if result == 1 else 's'} scheduled."
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:calls_campaign_change", args=[campaign.pk]))

    def figures_view(self, request: HttpRequest):
        """Every call's figures (all campaigns, and calls made outside any), over a range of days."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "title": "Figures", "opts": self.opts}
        return TemplateResponse(request, "admin/calls/figures.html", {**context, **figures_context(request)})

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status == CampaignStatus.COMPLETED:
            return False  # a record of what was done: read, never changed
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj: Campaign, form, change) -> None:
        """Through ``campaign_create`` or ``campaign_update``: checked, tidied and audited like the API's."""
        given = {name: form.cleaned_data[name] for name in CAMPAIGN_SETTINGS if name in form.cleaned_data}
        if change:
            saved = campaign_update(campaign=obj, actor=request.user, data=given)
        else:
            saved = campaign_create(actor=request.user, **given)
        obj.pk = saved.pk
        obj.__dict__.update(saved.__dict__)

    @admin.action(description="Start the selected campaigns", permissions=["change"])
    def start(self, request, queryset):
        admin_run_service(
            self, request, queryset, lambda c: campaign_start(campaign=c, actor=request.user), "campaign(s) started"
        )

    @admin.action(description="Pause the selected campaigns", permissions=["change"])
    def pause(self, request, queryset):
        admin_run_service(
            self, request, queryset, lambda c: campaign_pause(campaign=c, actor=request.user), "campaign(s) paused"
        )

    @admin.action(description="Resume the selected campaigns", permissions=["change"])
    def resume(self, request, queryset):
        admin_run_service(
            self, request, queryset, lambda c: campaign_resume(campaign=c, actor=request.user), "campaign(s) resumed"
        )

    @admin.action(description="Complete the selected campaigns (cancel calls not yet placed)", permissions=["change"])
    def complete(self, request, queryset):
        admin_run_service(
            self,
            request,
            queryset,
            lambda c: campaign_complete(campaign=c, actor=request.user),
            "campaign(s) completed",
        )
