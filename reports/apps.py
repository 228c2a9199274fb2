from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports and audit"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from assessments.models import AIFeature, Assessment, AuditEntry, BiasResult, Team
        from assessments.signals import assessment_transitioned, demo_seeded

        from . import checks  # noqa: F401 - registers the signing configuration check
        from . import receivers as on

        assessment_transitioned.connect(on.on_assessment_transitioned, dispatch_uid="reports.dossier_on_approval")
        demo_seeded.connect(on.register_demo_on_seed, dispatch_uid="reports.register_demo")
        # The public register (reports/register.py) is cached; these say when what it shows changed.
        assessment_transitioned.connect(on.register_on_transition, dispatch_uid="reports.register_transition")
        post_save.connect(on.register_on_audit_entry, sender=AuditEntry, dispatch_uid="reports.register_audit")
        for signal, kind in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(on.register_on_assessment_save, sender=Assessment, dispatch_uid=f"reports.register_{kind}")
            signal.connect(
                on.register_on_bias_result_save, sender=BiasResult, dispatch_uid=f"reports.register_{kind}_bias"
            )
            for model in (AIFeature, Team):
                uid = f"reports.register_{kind}_{model.__name__}"
                signal.connect(on.register_on_name_save, sender=model, dispatch_uid=uid)
