"""The assessment fields DESIGN section 9 fixes; tests check the API against this, not against its own serializer."""

CONTRACT_FIELDS = {
    "id",
    "feature_name",
    "team",
    "version",
    "state",
    "risk_level",
    "answers",
    "sign_offs",
    "conditions",
    "created_at",
    "updated_at",
}
