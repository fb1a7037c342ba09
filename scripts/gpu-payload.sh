#!/usr/bin/env bash
# Prepares .local/gpu/ for scripts/gpu-check.sh on a machine without network or the MiniLM
# package: the release synod-worker and its forward_loop example (stripped), MiniLM's weights
# rounded to f16 (45 MB, to fit the transfer limit) and the tokenized sample inputs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SYNOD_ROOT"
dst=.local/gpu
mkdir -p "$dst"
cargo build --release -p synod-worker --bin synod-worker --example forward_loop
strip -o "$dst/synod-worker" "$CARGO_TARGET_DIR/release/synod-worker"
strip -o "$dst/forward_loop" "$CARGO_TARGET_DIR/release/examples/forward_loop"
"$SYNOD_VENV/bin/python" tools/make_minilm.py "$SYNOD_MODELS" --export-fp16 "$dst/minilm-f16.safetensors"
cp "$SYNOD_MODELS/minilm.inputs.json" "$dst/"
du -sh "$dst"/*
