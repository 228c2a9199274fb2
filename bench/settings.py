"""Settings of the benchmark's servers and workers: the production profile (DJANGO_DEBUG off, from the
environment ``bench/run.py`` sets) with one change: the API's per-user rate limits are raised far above
what the bench sends, so that throughput measures the application rather than the limiter (the limiter
still runs on every request)."""

from config.settings import *  # noqa: F403

API_THROTTLE_RATES = {"api_read": "1000000/min", "api_write": "1000000/min", "api_token": "10/min"}
