# Sourced by every Synod script and by .ci/run: one persistent build environment.
# shellcheck shell=bash
SYNOD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SYNOD_ROOT
export SYNOD_CACHE="${SYNOD_CACHE:-$HOME/.cache/synod}"
# One target dir outside the checkout, shared by every clone (CI's fresh clone reuses it).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$SYNOD_CACHE/target}"
export WASM_BUILD_WORKSPACE_HINT="$SYNOD_ROOT"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Two cores: libtorch's and rayon's thread pools must not oversubscribe them in tests.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export PATH="$HOME/.cargo/bin:$PATH"
SYNOD_NODE_BIN="$CARGO_TARGET_DIR/release/synod-node"
export SYNOD_NODE_BIN
# libtorch for synod-worker (tch 0.24 needs PyTorch 2.11.0): the torch folder of a venv that
# setup.sh makes; a stable path, so that torch-sys is not rebuilt from clone to clone.
export SYNOD_VENV="$SYNOD_CACHE/venv"
export LIBTORCH="${LIBTORCH:-$SYNOD_CACHE/libtorch}"
export LIBTORCH_CXX11_ABI=1
export SYNOD_MODELS="$SYNOD_CACHE/models"
