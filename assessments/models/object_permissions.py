"""Per-assessment grants (django-guardian's direct foreign-key models): who may see and act on which assessment."""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

# Rows that belong to an assessment name it as "assessments.Assessment": the assessment's module reads them
# (its transitions create sign-offs and conditions), so they do not import it back.


class AssessmentGroupObjectPermission(GroupObjectPermissionBase):
    """Per-assessment group permissions with a real foreign key (django-guardian's direct model):
    indexed joins for lists of thousands of assessments, and no orphaned grants."""

    # No index of its own: the lookup index below starts with this column and serves every query by assessment.
    content_object = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, db_index=False)

    class Meta(GroupObjectPermissionBase.Meta):
        # Visibility asks, per assessment row, whether one of the user's groups holds a permission on it
        # (``selectors.visibility_condition``), answered from this index alone; guardian's own unique index
        # starts with the group instead.
        indexes = [
            models.Index(fields=["content_object", "permission", "group"], name="assessment_grant_lookup_idx"),
        ]


class AssessmentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE)
