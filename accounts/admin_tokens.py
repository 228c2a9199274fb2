"""API tokens in the admin: seen (never a key: only digests are stored) and revoked, never made or edited there."""

from django.contrib import admin, messages

from .models_tokens import ApiToken
from .tokens import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created_at", "expires_at", "last_used_at", "revoked_at", "revoked_because")
    list_filter = ("revoked_because",)
    list_select_related = ("user",)
    search_fields = ("user__username", "name")
    exclude = ("digest",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens", permissions=["delete"])
    def revoke(self, request, queryset):
        revoked = sum(
            token_revoke(token=token, by=token.user, request=request, because=ApiToken.RevokedBecause.ADMINISTRATOR)
            for token in queryset.filter(revoked_at__isnull=True).select_related("user")
        )
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)
