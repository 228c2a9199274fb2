"""Celery application.

Configured from the ``CELERY_*`` settings: Redis when ``REDIS_URL`` is set, otherwise the
embedded default, kombu's filesystem transport in a folder shared by the web process, the
worker and beat (``make run`` starts all three). Tasks live in ``committee/tasks.py``.
"""

import os
from pathlib import Path

from celery import Celery
from celery.signals import beat_embedded_init, beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("raia")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

EMBEDDED_FOLDERS = ("data_folder_in", "data_folder_out", "control_folder", "processed_folder")


def embedded_broker_folders(conf):
    """Create the filesystem transport's folders (kombu expects them to exist)."""
    if not str(conf.broker_url).startswith("filesystem://"):
        return
    options = conf.broker_transport_options or {}
    for name in EMBEDDED_FOLDERS:
        if options.get(name):
            Path(options[name]).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _prepare_embedded_broker(sender, **kwargs):
    embedded_broker_folders(sender.conf)


@beat_init.connect
@beat_embedded_init.connect
def _run_sweeps_at_start(sender, **kwargs):
    """Beat runs the sweeps once as it starts, rather than a whole interval later; they are idempotent."""
    from django.conf import settings

    for name in settings.CELERY_BEAT_AT_START:
        sender.app.send_task(name)
