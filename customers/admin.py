from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from import_export.admin import ImportMixin

from uploads.models import UploadRow
from uploads.templatetags.upload_tags import change_lines
from voiceassist.common.admin import export_actions
from voiceassist.common.exceptions import ApplicationError

from .models import Customer, Loan
from .phones import phone_normalize
from .selectors import customer_find
from .services import customer_mark_do_not_call


class CustomerAdminForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ("full_name", "phone", "alternate_phones", "email", "state", "preferred_language")

    def clean_phone(self) -> str:
        try:
            return phone_normalize(self.cleaned_data["phone"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc


class DoNotCallForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"size": 60}))


class LoanInline(admin.TabularInline):
    model = Loan
    extra = 0
    fields = ("loan_id", "outstanding_amount", "principal_amount", "due_date", "days_past_due", "status")
    show_change_link = True


class UploadEntryInline(admin.TabularInline):
    """The customer's timeline: each upload row that named them and what it changed."""

    model = UploadRow
    verbose_name = "upload entry"
    verbose_name_plural = "Upload timeline (newest first)"
    fields = ("created_at", "upload", "row_number", "outcome", "what_changed")
    readonly_fields = fields
    ordering = ("-created_at", "-upload_id", "-row_number")
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    @admin.display(description="Changes / errors")
    def what_changed(self, entry: UploadRow) -> str:
        return "; ".join(change_lines(entry.changes) + entry.errors) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("upload")


@admin.register(Customer)
class CustomerAdmin(ImportMixin, admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = ("full_name", "phone", "state", "preferred_language", "do_not_call", "last_uploaded_at")
    list_filter = ("state", "do_not_call", "preferred_language")
    search_fields = ("full_name", "phone")
    search_help_text = "A phone in any format, a loan id, or part of the name."
    readonly_fields = (
        "national_id_last4",
        "first_uploaded_at",
        "last_uploaded_at",
        "do_not_call",
        "do_not_call_reason",
        "do_not_call_at",
        "created_at",
        "updated_at",
    )
    exclude = ("national_id_fingerprint",)
    inlines = [LoanInline, UploadEntryInline]
    actions = ["mark_do_not_call", *export_actions("customers")]

    def get_inlines(self, request, obj=None):
        return self.inlines if obj is not None else [LoanInline]

    def has_import_permission(self, request) -> bool:
        return request.user.has_perm("uploads.add_fileupload")

    def import_action(self, request: HttpRequest, **kwargs):
        """The Import button uploads through the same pipeline as every other upload."""
        return HttpResponseRedirect(reverse("admin:uploads_fileupload_add"))

    def process_import(self, request: HttpRequest, **kwargs):
        return HttpResponseRedirect(reverse("admin:uploads_fileupload_add"))

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        if not search_term.strip():
            return queryset, False
        matches = customer_find(query=search_term).values("pk")
        return queryset.filter(pk__in=matches), False

    @admin.action(description="Mark as do-not-call…", permissions=["change"])
    def mark_do_not_call(self, request: HttpRequest, queryset):
        form = DoNotCallForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for customer in queryset:
                customer_mark_do_not_call(customer=customer, reason=form.cleaned_data["reason"], actor=request.user)
            self.message_user(request, f"{queryset.count()} customer(s) will not be called again.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Mark customers as do-not-call",
            "customers": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/customers/customer/do_not_call.html", context)


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin):
    list_display = ("loan_id", "customer", "outstanding_amount", "due_date", "days_past_due", "status")
    list_filter = ("status",)
    list_select_related = ("customer",)
    search_fields = ("loan_id", "customer__phone", "customer__full_name")
    raw_id_fields = ("customer",)
    readonly_fields = ("created_at", "updated_at")
