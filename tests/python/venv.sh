#!/usr/bin/env bash
# Creates the project-local Python virtual environment the real-client tests use
# (target/python-venv), or refreshes it when tests/python/requirements.txt changed. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/python-venv
stamp="$venv/requirements.sha256"
wanted=$(sha256sum tests/python/requirements.txt | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
  exit 0
fi
echo "== creating $venv (confluent-kafka and pytest from PyPI)" >&2
rm -rf "$venv"
python3 -m venv "$venv"
timeout 600 "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/python/requirements.txt
echo "$wanted" >"$stamp"
