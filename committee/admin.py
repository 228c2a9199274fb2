from django.contrib import admin, messages

from . import outbox
from .models import NoticePreference, Notification, OutboxEmail


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("subject", "kind", "recipient", "assessment", "created_at", "read_at", "email")
    list_filter = ("kind", "read_at")
    search_fields = ("key", "recipient__username")
    list_select_related = ("recipient", "assessment__feature", "email")
    raw_id_fields = ("recipient", "assessment", "email")
    readonly_fields = ("kind", "key", "context", "created_at", "email", "awaits_digest")

    def has_add_permission(self, request):
        return False  # notices are written by what causes them, never by hand


class Undelivered(admin.SimpleListFilter):
    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("undelivered", "Not delivered yet or given up"), ("failed", "Given up")]

    def queryset(self, request, queryset):
        if self.value() == "undelivered":
            return queryset.exclude(status=OutboxEmail.Status.SENT)
        if self.value() == "failed":
            return queryset.filter(status=OutboxEmail.Status.FAILED)
        return queryset


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """The outbox; "Not delivered yet or given up" lists what did not go out, with its last error."""

    list_display = ("pk", "recipient", "kind", "status", "attempts", "last_error", "next_attempt_at", "created_at")
    list_filter = (Undelivered, "status", "kind")
    search_fields = ("recipient__username", "recipient__email", "key", "last_error")
    list_select_related = ("recipient",)
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Send again (emails that were given up)")
    def send_again(self, request, queryset):
        count = sum(outbox.email_retry(pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} email{'s' if count != 1 else ''} will be sent again.", messages.SUCCESS)


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "updated_at")
    list_filter = ("email",)
    raw_id_fields = ("user",)
