#!/usr/bin/env python
"""The test identity provider's manage.py (runserver, migrate, idp_client, idp_user); see tests/oidc_provider/README."""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ["DJANGO_SETTINGS_MODULE"] = "idp.settings"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
