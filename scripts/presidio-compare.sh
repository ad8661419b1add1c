#!/usr/bin/env bash
# Presidio's pattern recognizers on content-audit's PII corpus, side by side
# with the filter's figures (README: Detectors). Installs a pinned venv once.
#   scripts/presidio-compare.sh            (PRESIDIO_VENV=dir to put the venv elsewhere)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${PRESIDIO_VENV:-.tools/presidio}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import presidio_analyzer" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q presidio-analyzer==2.2.358 phonenumbers==8.13.55
fi
mkdir -p .tmp
npx tsx test/data/pii/corpus.ts > .tmp/pii-corpus.json
"$VENV/bin/python" scripts/presidio-compare.py .tmp/pii-corpus.json
