#!/usr/bin/env bash
# Install what the tests need on a fresh machine, then lint and run every test (the slow science checks too).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then  # Debian's Chromium drives the browser tests; Playwright downloads nothing
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
python -m pip install -q --disable-pip-version-check -r requirements-dev.txt

python -m ruff check .
python -m ruff format --check .
python -m pytest "$@"
