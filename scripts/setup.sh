#!/usr/bin/env bash
# Idempotent set-up in two profiles, run by `npm start` (run) and `npm test` (test):
#   usage: bash scripts/setup.sh [run|test] [--browser]    (or QWB_SETUP_PROFILE=run|test, QWB_BROWSER=1)
#   run   what running the workbench needs: oneDNN, the compiler, npm packages, the native addon,
#         TypeScript, the export runtime (and, with --browser, the browser mode's packages)
#   test  all of run, plus what the tests and tools need: PyTorch, torchvision, ONNX, the ONNX
#         backend test data (and the browser/e2e test packages)
# Steps:
#   (a) Debian packages    (apt-get as root; otherwise prints the exact sudo command and fails)
#   (b) npm packages       (when node_modules is missing or package*.json changed since last install)
#   (c) native addon       (when build/Release/qwb_native.node is missing or older than native/ or binding.gyp)
#   (d) TypeScript -> dist (when any .ts changed since the last successful compile; tsc errors fail)
#   (e) export runtime    (the static runtime archive `qwb export` links, when native sources changed)
# Prints one line per step it actually performs; silent and quick (~0.2 s) when nothing is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
STAMPS="$ROOT/.cache/stamps"
mkdir -p "$STAMPS"

say() { echo "setup: $*"; }

PROFILE=${QWB_SETUP_PROFILE:-test}
BROWSER=${QWB_BROWSER:-0}
for arg in "$@"; do
  case "$arg" in
    run | test) PROFILE=$arg ;;
    --browser) BROWSER=1 ;;
    *) echo "setup: unknown argument '$arg' (usage: bash scripts/setup.sh [run|test] [--browser])" >&2; exit 2 ;;
  esac
done
case "$PROFILE" in run | test) ;; *) echo "setup: QWB_SETUP_PROFILE must be run or test, got '$PROFILE'" >&2; exit 2 ;; esac

# --- (a) Debian packages ------------------------------------------------------------------------
# run profile: what `npm start` (the demo, every qwb command) needs.
#   python3 is the interpreter node-gyp runs gyp with (no Python package is imported at run time);
#   dataset-fashion-mnist (30 MB) is what the demo calibrates on (its training split; without it the
#   demo calibrates on the very sample it measures accuracy on, and says so).
RUN_PACKAGES=(libdnnl-dev g++ make python3 dataset-fashion-mnist)
# test profile adds: what tests and tools need (ONNX Runtime is an npm dev dependency).
#   python3-torch/-torchvision: tools/export_torchvision.py (test models), tools/bench, tools/train_demo.py
#   python3-onnx: test fixtures; libonnx-testdata: the ONNX backend node tests (test/conformance)
TEST_PACKAGES=(python3-torch python3-torchvision python3-onnx libonnx-testdata)
# ======== browser mode and end-to-end tests: list their Debian packages here ========================
#   BROWSER_RUN_PACKAGES:  the run profile installs these only with --browser (QWB_BROWSER=1)
#   BROWSER_TEST_PACKAGES: the test profile always installs these (e2e tests), e.g. chromium
BROWSER_RUN_PACKAGES=()
BROWSER_TEST_PACKAGES=(chromium)   # Playwright drives Debian's Chromium in the window's e2e tests
# ===================================================================================================

PACKAGES=("${RUN_PACKAGES[@]}")
if [[ "$BROWSER" == 1 ]]; then PACKAGES+=("${BROWSER_RUN_PACKAGES[@]}"); fi
if [[ "$PROFILE" == test ]]; then PACKAGES+=("${TEST_PACKAGES[@]}" "${BROWSER_RUN_PACKAGES[@]}" "${BROWSER_TEST_PACKAGES[@]}"); fi
# One dpkg-query for all of them (it prints nothing for a package it has never heard of).
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null | awk '$NF == "installed" { print $1 }' || true)
missing=()
for p in "${PACKAGES[@]}"; do
  if ! grep -qx -- "$p" <<<"$installed"; then missing+=("$p"); fi
done
# Node's C headers for node-gyp --nodedir=/usr: NodeSource's nodejs ships them, Debian's in libnode-dev.
if [[ ! -f /usr/include/node/node_api.h ]]; then missing+=(libnode-dev); fi
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    say "installing Debian packages ($PROFILE profile): ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "setup: missing Debian packages ($PROFILE profile): ${missing[*]}" >&2
    echo "setup: run this, then try again:" >&2
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

# --- (b) npm packages ---------------------------------------------------------------------------
npm_stamp="$STAMPS/npm-install"
need_npm=0
if [[ ! -d node_modules || ! -f "$npm_stamp" ]]; then
  need_npm=1
elif [[ package.json -nt "$npm_stamp" || ( -f package-lock.json && package-lock.json -nt "$npm_stamp" ) ]]; then
  need_npm=1
fi
if ((need_npm)); then
  say "npm install"
  # Electron's binary download may fail on a build machine: skip it (the window is a later issue).
  # onnxruntime-node's optional download is skipped by the project .npmrc (onnxruntime-node-install=skip).
  # npm also builds the addon here (binding.gyp at the root): point node-gyp at the system headers.
  if ! ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm_config_nodedir=/usr npm install --no-audit --no-fund --loglevel=error >"$STAMPS/npm-install.log" 2>&1; then
    tail -n 60 "$STAMPS/npm-install.log" >&2
    echo "setup: npm install failed (full log: $STAMPS/npm-install.log)" >&2
    exit 1
  fi
  touch "$npm_stamp"
fi

# `npx qwb ...` in the repository: npm does not link a package's own bin, so link it here.
if [[ ! -L node_modules/.bin/qwb || ! -e node_modules/.bin/qwb ]]; then
  mkdir -p node_modules/.bin
  ln -sfn ../../bin/qwb.js node_modules/.bin/qwb
  chmod +x bin/qwb.js
fi

# --- (c) native addon ---------------------------------------------------------------------------
addon=build/Release/qwb_native.node
need_native=0
if [[ ! -f "$addon" ]]; then
  need_native=1
elif [[ binding.gyp -nt "$addon" ]] || [[ -n $(find native -type f \( -name '*.cc' -o -name '*.cpp' -o -name '*.c' -o -name '*.h' -o -name '*.hpp' -o -name '*.gypi' \) -newer "$addon" -print -quit 2>/dev/null) ]]; then
  need_native=1
fi
if ((need_native)); then
  say "building the native addon (node-gyp, oneDNN)"
  # `npm run` puts npm's bundled node-gyp on PATH; --nodedir=/usr uses Debian/NodeSource's headers.
  if ! npm_config_nodedir=/usr npm run --silent build:native >"$STAMPS/native-build.log" 2>&1; then
    tail -n 60 "$STAMPS/native-build.log" >&2
    echo "setup: native build failed (full log: $STAMPS/native-build.log)" >&2
    exit 1
  fi
fi

# --- (d) TypeScript -----------------------------------------------------------------------------
ts_stamp="$STAMPS/tsc"
need_tsc=0
if [[ ! -f "$ts_stamp" || ! -d dist ]]; then
  need_tsc=1
elif [[ tsconfig.json -nt "$ts_stamp" ]] || [[ -n $(find . \( -path ./node_modules -o -path ./dist -o -path ./.cache -o -path ./build -o -path ./.git \) -prune -o -name '*.ts' -newer "$ts_stamp" -print -quit) ]]; then
  need_tsc=1
fi
if ((need_tsc)); then
  say "compiling TypeScript (tsc -p tsconfig.json)"
  started="$STAMPS/tsc.started"
  touch "$started"   # files edited while tsc runs stay newer than the stamp
  if ! node_modules/.bin/tsc -p tsconfig.json; then
    echo "setup: TypeScript compile failed" >&2
    exit 1
  fi
  mv "$started" "$ts_stamp"
fi

# --- (e) export runtime -------------------------------------------------------------------------
# `qwb export` links every .so against the runtime compiled once as a static archive, cached under
# .cache/export-runtime; build it now so that a user's first export takes seconds, not minutes. Its
# own stamp: a failure in a later step must not leave it stale for the next run.
rt_stamp="$STAMPS/export-runtime"
if [[ ! -f "$rt_stamp" ]] || ! ls .cache/export-runtime/*/libqwb_runtime.a >/dev/null 2>&1 || [[ -n $(find native -type f -newer "$rt_stamp" -print -quit 2>/dev/null) ]]; then
  say "compiling the export runtime (.cache/export-runtime)"
  rt_started="$STAMPS/export-runtime.started"
  touch "$rt_started"
  node -e "require('./dist/engine/export/runtime-archive').runtimeArchive({ jobs: 2 }).catch((e) => { console.error('setup: ' + e.message); process.exit(1); })"
  mv "$rt_started" "$rt_stamp"
fi

# --- (f) the window (issue 11) --------------------------------------------------------------------
# One block: (Debian's Chromium for the e2e tests is in BROWSER_TEST_PACKAGES above) one try at
# Electron's binary (npm install skips it; it cannot be downloaded on closed networks),
# the renderer (type-check, then Vite to dist/window) and Electron's main/preload (type-check, then
# esbuild to dist/electron), each only when its sources changed.
electron_stamp="$STAMPS/electron-binary-tried"
if [[ ! -f "$electron_stamp" || "$npm_stamp" -nt "$electron_stamp" ]]; then
  if [[ -f node_modules/electron/install.js && ! -f node_modules/electron/path.txt ]]; then
    if (cd node_modules/electron && timeout 20 node install.js) >"$STAMPS/electron-binary.log" 2>&1; then
      say "Electron's binary installed: npm start opens the window"
    else
      say "Electron's binary could not be downloaded (see $STAMPS/electron-binary.log): npm start uses browser mode"
    fi
  fi
  touch "$electron_stamp"
fi
newer_than() { # stamp paths...: true when a file under the paths is newer than the stamp (or no stamp)
  local stamp=$1
  shift
  [[ ! -f "$stamp" ]] || [[ -n $(find "$@" -type f -newer "$stamp" -print -quit 2>/dev/null) ]]
}
window_stamp="$STAMPS/window-build"
if newer_than "$window_stamp" renderer engine/api/contract.ts package-lock.json || [[ ! -f dist/window/index.html ]]; then
  say "building the window (tsc -p renderer, vite build)"
  started="$STAMPS/window-build.started"
  touch "$started"
  if ! node_modules/.bin/tsc -p renderer/tsconfig.json; then
    echo "setup: renderer type check failed" >&2
    exit 1
  fi
  if ! node_modules/.bin/vite build --config renderer/vite.config.ts --logLevel warn >"$STAMPS/window-build.log" 2>&1; then
    tail -n 40 "$STAMPS/window-build.log" >&2
    echo "setup: vite build failed (full log: $STAMPS/window-build.log)" >&2
    exit 1
  fi
  mv "$started" "$window_stamp"
fi
electron_build_stamp="$STAMPS/electron-build"
if newer_than "$electron_build_stamp" electron engine package-lock.json || [[ ! -f dist/electron/main.js ]]; then
  say "building Electron's main and preload (tsc -p electron, esbuild)"
  started="$STAMPS/electron-build.started"
  touch "$started"
  if ! node_modules/.bin/tsc -p electron/tsconfig.json || ! node scripts/build-electron.js; then
    echo "setup: Electron main/preload build failed" >&2
    exit 1
  fi
  mv "$started" "$electron_build_stamp"
fi
# --- end of (f) -----------------------------------------------------------------------------------
