from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ImportMixin

from exports.actions import export_actions
from voiceassist.common.admin import admin_clipped, admin_day, admin_reason_step, admin_run_service
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.money import money_display

from .forms import CustomerAdminForm
from .models import Customer, Loan, Suppression, SuppressionKind, SuppressionSource
from .selectors import customer_find
from .services import customer_edit, loan_edit
from .suppressions import suppression_clear, suppression_set_for


class DoNotCallFilter(admin.SimpleListFilter):
    title = "do not call"
    parameter_name = "do_not_call"

    def lookups(self, request, model_admin):
        return [("1", "Yes"), ("0", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(do_not_call=self.value() == "1")
        return queryset


class LoanInline(admin.TabularInline):
    model = Loan
    extra = 0
    fields = ("loan_id", "outstanding_amount", "principal_amount", "due_date", "days_past_due", "status")
    show_change_link = True


class SuppressionInline(admin.TabularInline):
    """Why calls are stopped, active first. Set and cleared through Suppressions, never edited here."""

    model = Suppression
    fk_name = "customer"
    fields = ("kind", "loan", "reason", "source", "created_at", "created_by", "cleared_at", "cleared_by")
    readonly_fields = fields
    ordering = ("-cleared_at", "-created_at")
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True


@admin.register(Customer)
class CustomerAdmin(ImportMixin, admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = ("name", "phone", "state_name", "preferred_language", "is_do_not_call", "last_upload")
    list_filter = ("state", DoNotCallFilter, "preferred_language", "phone_type")
    search_fields = ("full_name", "phone")
    search_help_text = "A phone in any format, a loan id, or part of the name."
    readonly_fields = (
        "phone_type",
        "phone_country",
        "national_id_last4",
        "first_uploaded_at",
        "last_uploaded_at",
        "created_at",
        "updated_at",
    )
    exclude = ("national_id_fingerprint",)
    # Other apps add their own (the upload timeline, ``uploads.admin``).
    inlines = [LoanInline, SuppressionInline]
    actions = ["mark_do_not_call", *export_actions("customers")]

    def get_queryset(self, request):
        return super().get_queryset(request).with_do_not_call()

    @admin.display(description="Full name", ordering="full_name")
    def name(self, customer: Customer) -> str:
        return admin_clipped(customer.full_name)

    @admin.display(description="State", ordering="state")
    def state_name(self, customer: Customer) -> str:
        return admin_clipped(customer.state, width="narrow")

    @admin.display(description="Last uploaded", ordering="last_uploaded_at")
    def last_upload(self, customer: Customer) -> str:
        return admin_day(customer.last_uploaded_at)

    @admin.display(description="Do not call", boolean=True, ordering="do_not_call")
    def is_do_not_call(self, customer: Customer) -> bool:
        return customer.do_not_call

    def get_inlines(self, request, obj=None):
        return self.inlines if obj is not None else [LoanInline]

    def save_model(self, request, obj: Customer, form, change) -> None:
        """Through the merge core, like a file's row, and audited (the form has already set ``obj``'s fields)."""
        stored = Customer.objects.get(pk=obj.pk) if change else obj
        customer_edit(customer=stored, phone=form.cleaned_data["phone"], values=form.cleaned_data, actor=request.user)
        obj.pk = stored.pk

    def save_formset(self, request, form, formset, change) -> None:
        """The loans inline: each added or edited loan through ``loan_edit``, like the loan's own page."""
        if formset.model is not Loan:
            return super().save_formset(request, form, formset, change)
        # What the admin's history message reads (``construct_change_message``).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for loan_form in formset.forms:
            if not loan_form.has_changed() or loan_form in formset.deleted_forms:
                continue
            loan = loan_form.instance
            stored = Loan.objects.get(pk=loan.pk) if loan.pk else loan
            loan_edit(loan=stored, values={**loan_form.cleaned_data, "customer": form.instance}, actor=request.user)
            if loan.pk:
                formset.changed_objects.append((stored, loan_form.changed_data))
            else:
                loan.pk = stored.pk
                formset.new_objects.append(loan)
        for loan_form in formset.deleted_forms:
            if loan_form.instance.pk:
                formset.deleted_objects.append(loan_form.instance)
                loan_form.instance.delete()
        return None

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
        reason, page = admin_reason_step(
            self,
            request,
            queryset,
            action="mark_do_not_call",
            title="Mark customers as do-not-call",
            intro="These customers will never be called again. Say why; the reason is kept in the audit trail.",
            button="Mark as do-not-call",
        )
        if page is not None:
            return page
        admin_run_service(
            self,
            request,
            queryset,
            lambda customer: suppression_set_for(
                customer=customer,
                kind=SuppressionKind.DO_NOT_CALL,
                reason=reason,
                source=SuppressionSource.ADMIN,
                actor=request.user,
            ),
            "customer(s) will not be called again",
        )
        return None


class SuppressionAddForm(forms.ModelForm):
    class Meta:
        model = Suppression
        fields = ("customer", "kind", "loan", "reason")
        help_texts = {"loan": "For a dispute or an attorney on one loan; empty: all of the customer's loans."}


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Set a suppression (audited, through the service); clear it with a reason. Nothing is edited in place."""

    list_display = ("who", "kind_label", "loan", "why", "set_on", "cleared_on")
    list_filter = ("kind", "source", ("cleared_at", admin.EmptyFieldListFilter))
    list_select_related = ("customer", "loan", "created_by")
    search_fields = ("customer__phone", "customer__full_name", "loan__loan_id", "reason")
    raw_id_fields = ("customer", "loan")
    actions = ["clear"]

    @admin.display(description="Customer", ordering="customer__full_name")
    def who(self, suppression: Suppression) -> str:
        return admin_clipped(suppression.customer.full_name, title=suppression.customer)

    @admin.display(description="Kind", ordering="kind")
    def kind_label(self, suppression: Suppression) -> str:
        return admin_clipped(suppression.get_kind_display(), width="narrow")

    @admin.display(description="Reason", ordering="reason")
    def why(self, suppression: Suppression) -> str:
        return admin_clipped(suppression.reason)

    @admin.display(description="Set", ordering="created_at")
    def set_on(self, suppression: Suppression) -> str:
        by = suppression.created_by or suppression.get_source_display()
        return format_html('<span title="By {}">{}</span>', by, admin_day(suppression.created_at))

    @admin.display(description="Cleared", ordering="cleared_at")
    def cleared_on(self, suppression: Suppression) -> str:
        return admin_day(suppression.cleared_at)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SuppressionAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return [field.name for field in self.model._meta.fields]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cleared with a reason, never deleted: the history is the point

    def save_model(self, request, obj: Suppression, form, change) -> None:
        if change:
            return
        try:
            saved = suppression_set_for(
                customer=obj.customer,
                kind=obj.kind,
                loan=obj.loan,
                reason=obj.reason,
                source=SuppressionSource.ADMIN,
                actor=request.user,
            )
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        obj.pk = saved.pk

    @admin.action(description="Clear the selected suppressions (calls may resume)…", permissions=["change"])
    def clear(self, request: HttpRequest, queryset):
        reason, page = admin_reason_step(
            self,
            request,
            queryset,
            action="clear",
            title="Clear suppressions",
            intro="Calls these suppressions stopped may be placed again. Say why: the audit trail keeps it.",
            button="Clear",
        )
        if page is not None:
            return page
        admin_run_service(
            self,
            request,
            queryset,
            lambda suppression: suppression_clear(suppression=suppression, actor=request.user, reason=reason),
            "suppression(s) cleared",
        )
        return None


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin):
    list_display = ("loan_id", "who", "outstanding", "due_date", "days_past_due", "status")
    list_filter = ("status",)
    list_select_related = ("customer",)
    search_fields = ("loan_id", "customer__phone", "customer__full_name")
    raw_id_fields = ("customer",)
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description="Customer", ordering="customer__full_name")
    def who(self, loan: Loan) -> str:
        return admin_clipped(loan.customer.full_name, title=loan.customer)

    @admin.display(description="Outstanding", ordering="outstanding_amount")
    def outstanding(self, loan: Loan) -> str:
        return money_display(loan.outstanding_amount, customer=loan.customer)

    def save_model(self, request, obj: Loan, form, change) -> None:
        """Through the merge core and ``loan_status_for``, audited (the form has already set ``obj``'s fields)."""
        stored = Loan.objects.get(pk=obj.pk) if change else obj
        loan_edit(loan=stored, values=form.cleaned_data, actor=request.user)
        obj.pk = stored.pk
