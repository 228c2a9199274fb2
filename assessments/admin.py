"""Django admin. The audit trail and what it proves (assessments, sign-offs, conditions,
bias evidence, the audit log) is read-only here: changes go through the services."""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model

from .filters import RISK_LEVELS
from .models import (
    AIFeature,
    Assessment,
    AuditChainHead,
    AuditEntry,
    AuditSigningKey,
    BiasBatch,
    BiasResult,
    Condition,
    SignOff,
    Team,
)
from .paging import CappedPaginator


class AdminCappedPaginator(CappedPaginator):
    """``CappedPaginator`` with the admin's call signature; it keeps the page it served, for the template.

    The changelist counts its rows for the paginator on every request (``show_full_result_count = False``
    drops only the second, unfiltered count): over an archive that only grows, that count is capped as the
    workspace's lists are, and the page says "1,000+ assessments".
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True):
        super().__init__(object_list, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page)
        self.served = None

    def page(self, number):
        self.served = super().page(number)
        return self.served


class RiskLevelFilter(admin.SimpleListFilter):
    """The four risk levels and "not scored": fixed choices, where Django's default filter for a plain
    integer field reads ``SELECT DISTINCT risk_level`` over the whole table on every changelist."""

    title = "risk level"
    parameter_name = "risk_level"
    NOT_SCORED = "none"

    def lookups(self, request, model_admin):
        return [(str(level), label) for level, label in RISK_LEVELS] + [(self.NOT_SCORED, "Not scored")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == self.NOT_SCORED:
            return queryset.filter(risk_level__isnull=True)
        if value not in {str(level) for level, _ in RISK_LEVELS}:
            # The admin's answer to a filter it does not know: the changelist again, with "?e=1".
            raise IncorrectLookupParameters(value)
        return queryset.filter(risk_level=int(value))


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ArchiveAdmin(ReadOnlyAdmin):
    """A read-only changelist over a table that only grows: a capped count, no unfiltered count."""

    paginator = AdminCappedPaginator
    show_full_result_count = False


class TeamAdminForm(forms.ModelForm):
    """Edits the team's members, which are its group's users: the one store of membership."""

    members = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.order_by("username"),
        required=False,
        widget=FilteredSelectMultiple("members", is_stacked=False),
        help_text="Members act for the team's assessments and may never sign them off.",
    )

    class Meta:
        model = Team
        fields = ["name", "slug"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["members"].initial = list(self.instance.members.all())


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamAdminForm
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.members.set(form.cleaned_data["members"])

    def get_readonly_fields(self, request, obj=None):
        # The slug names the team's permission group; it is fixed once created.
        return ("slug",) if obj else ()

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else self.prepopulated_fields


@admin.register(AIFeature)
class AIFeatureAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "owner", "created_at")
    list_filter = ("team",)
    search_fields = ("name",)

    def get_readonly_fields(self, request, obj=None):
        # The name is part of every assessment's content hash.
        return ("name", "team", "created_at") if obj else ()

    def has_add_permission(self, request):
        return False  # features are created with their first assessment, through the services

    def has_delete_permission(self, request, obj=None):
        return False


class SignOffInline(admin.TabularInline):
    model = SignOff
    extra = 0
    can_delete = False
    fields = (
        "review_round",
        "stage",
        "decision",
        "reviewer",
        "comment",
        "content_hash",
        "created_at",
        "invalidated_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(ArchiveAdmin):
    list_display = ("feature", "version", "state", "risk_level", "review_round", "updated_at")
    list_filter = ("state", RiskLevelFilter, "feature__team")
    search_fields = ("feature__name",)
    list_select_related = ("feature",)
    # The ordering, newest change first, reads from the index assessment_updated_idx.
    inlines = [SignOffInline]


@admin.register(SignOff)
class SignOffAdmin(ArchiveAdmin):
    list_display = ("assessment", "review_round", "stage", "decision", "reviewer", "created_at", "invalidated_at")
    list_filter = ("stage", "decision")
    list_select_related = ("assessment__feature", "reviewer")


@admin.register(Condition)
class ConditionAdmin(ArchiveAdmin):
    list_display = ("text", "assessment", "owner", "due_date", "before_launch", "status")
    list_filter = ("status", "before_launch")
    list_select_related = ("assessment__feature", "owner")


@admin.register(BiasResult)
class BiasResultAdmin(ArchiveAdmin):
    list_display = ("assessment", "dimension", "group", "metric", "value", "sample_size")
    # Searched, not a list filter: dimensions are open-ended, and the admin would list them with a
    # ``SELECT DISTINCT`` over every bias row on every page.
    search_fields = ("dimension", "group")
    list_select_related = ("assessment__feature",)


@admin.register(BiasBatch)
class BiasBatchAdmin(ArchiveAdmin):
    list_display = ("assessment", "created_at", "kind", "method", "source_name", "created_by")
    list_filter = ("method", "kind")
    search_fields = ("source_name", "source_sha256", "description")
    list_select_related = ("assessment__feature", "created_by")


@admin.register(AuditEntry)
class AuditEntryAdmin(ArchiveAdmin):
    list_display = ("seq", "created_at", "actor_username", "assessment_id", "action", "from_state", "to_state")
    list_filter = ("action",)
    search_fields = ("actor_username", "comment")


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin):
    list_display = ("last_seq", "last_hash", "signed_at", "key_id")


@admin.register(AuditSigningKey)
class AuditSigningKeyAdmin(ReadOnlyAdmin):
    list_display = ("key_id", "valid_from", "valid_until")
