"""Celery tasks of reports/: take ids, load, call a service."""

from celery import shared_task

from . import services


@shared_task(name="reports.dossier_freeze")
def dossier_freeze_task(assessment_id):
    """Issue the frozen dossier of an approved assessment version (idempotent)."""
    dossier = services.dossier_freeze(assessment_id=assessment_id)
    return dossier.sha256
