"""Work items (the agents' follow-ups) in the back office: listed and read; who took one and when it was
done are set by the agents through the work-item services."""

from django.contrib import admin

from voiceassist.common.admin import admin_clipped, admin_day

from ..models import WorkItem


@admin.register(WorkItem)
class WorkItemAdmin(admin.ModelAdmin):
    """Follow-ups. Who took one and when it was done are the agents' to set, through the work-item services
    (audited): shown here, not edited."""

    list_display = ("kind_label", "who", "loan", "due", "claimed_by", "done")
    list_filter = ("kind",)
    list_select_related = ("customer", "loan", "claimed_by")
    raw_id_fields = ("customer", "loan", "call", "promise")
    readonly_fields = ("claimed_by", "claimed_at", "done_at")

    @admin.display(description="Kind", ordering="kind")
    def kind_label(self, item: WorkItem) -> str:
        return admin_clipped(item.get_kind_display(), title=item.note or item.get_kind_display(), width="narrow")

    @admin.display(description="Customer", ordering="customer__full_name")
    def who(self, item: WorkItem) -> str:
        return admin_clipped(item.customer.full_name, title=item.customer, width="narrow")

    @admin.display(description="Due", ordering="due_at")
    def due(self, item: WorkItem) -> str:
        return admin_day(item.due_at, with_time=True)

    @admin.display(description="Done", ordering="done_at")
    def done(self, item: WorkItem) -> str:
        return admin_day(item.done_at)
