#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # A checkout with neither DJANGO_DEBUG nor SECRET_KEY set is a developer's: management commands run the
    # development profile there. A deployment sets SECRET_KEY (and DJANGO_DEBUG=false), so its commands run the
    # production profile; the served entry points (config.wsgi, config.celery) never take this default and refuse
    # to start without a secret key of their own.
    if "DJANGO_DEBUG" not in os.environ and "SECRET_KEY" not in os.environ:
        os.environ["DJANGO_DEBUG"] = "true"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
