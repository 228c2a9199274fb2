"""Celery application.

With no ``REDIS_URL`` configured, settings make tasks run eagerly in-process
(the embedded default); with it, a real worker and beat consume from Redis.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("raia")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
