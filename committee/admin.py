from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("subject", "recipient", "assessment", "created_at", "read_at")
    list_filter = ("read_at",)
    search_fields = ("subject", "recipient__username")
    list_select_related = ("recipient", "assessment__feature")
    raw_id_fields = ("recipient", "assessment")
    readonly_fields = ("created_at",)
