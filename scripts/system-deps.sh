#!/usr/bin/env bash
# Install the Debian system libraries the project needs, when missing.
#   scripts/system-deps.sh           WeasyPrint's libraries (Pango, HarfBuzz), fonts, poppler-utils
#   scripts/system-deps.sh --browser also Debian's Chromium, for the browser tests
# and redis-server, which the broker tests start on a spare port (tests/broker/); the sqlite3 shell that
# backs up the embedded default (README: "Backups, restores and moving to PostgreSQL"); curl and jq, with which
# the tests run the documentation's examples (tests/docs/).
set -euo pipefail

packages=()
ldconfig -p | grep -q 'libpango-1.0.so.0' || packages+=(libpango-1.0-0)
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || packages+=(libpangoft2-1.0-0)
ldconfig -p | grep -q 'libharfbuzz-subset.so.0' || packages+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi 'DejaVuSans' || packages+=(fonts-dejavu-core)
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
# The documentation's examples, run by tests/docs/: curl and jq, as a reader runs them.
command -v curl >/dev/null 2>&1 || packages+=(curl)
command -v jq >/dev/null 2>&1 || packages+=(jq)
# Dossiers: their typeface, and pdftoppm (poppler-utils) to turn a page into PNG in the tests.
fc-list 2>/dev/null | grep -qi 'OpenSans' || packages+=(fonts-open-sans)
command -v pdftoppm >/dev/null 2>&1 || packages+=(poppler-utils)
command -v sqlite3 >/dev/null 2>&1 || packages+=(sqlite3)  # README: backups of the embedded default
if [[ "${1:-}" == "--browser" ]] && ! command -v chromium >/dev/null 2>&1; then
  packages+=(chromium)
fi

if [[ ${#packages[@]} -eq 0 ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "Missing system packages: ${packages[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${packages[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}"
