#!/usr/bin/env bash
# Idempotent set-up, run by both `npm start` and `npm test`.
#   (a) Debian packages    (apt-get as root; otherwise prints the exact sudo command and fails)
#   (b) npm packages       (when node_modules is missing or package*.json changed since last install)
#   (c) native addon       (when build/Release/qwb_native.node is missing or older than native/ or binding.gyp)
#   (d) TypeScript -> dist (when any .ts changed since the last successful compile; tsc errors fail)
#   (e) export runtime    (the static runtime archive `qwb export` links, when native sources changed)
# Prints one line per step it actually performs; silent and quick (< 5 s) when nothing is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
STAMPS="$ROOT/.cache/stamps"
mkdir -p "$STAMPS"

say() { echo "setup: $*"; }

# --- (a) Debian packages ------------------------------------------------------------------------
PACKAGES=(libdnnl-dev dataset-fashion-mnist libonnx-testdata python3 python3-torch python3-torchvision python3-onnx g++ make)
missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node's C headers for node-gyp --nodedir=/usr: NodeSource's nodejs ships them, Debian's in libnode-dev.
if [[ ! -f /usr/include/node/node_api.h ]]; then missing+=(libnode-dev); fi
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
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
# .cache/export-runtime; build it now so that a user's first export takes seconds, not minutes.
if [[ "$need_native" == 1 || ! -d .cache/export-runtime ]] || [[ -n $(find native -type f -newer "$addon" -print -quit 2>/dev/null) ]] || ! ls .cache/export-runtime/*/libqwb_runtime.a >/dev/null 2>&1; then
  say "compiling the export runtime (.cache/export-runtime)"
  node -e "require('./dist/engine/export/runtime-archive').runtimeArchive({ jobs: 2 }).catch((e) => { console.error('setup: ' + e.message); process.exit(1); })"
fi

# --- (f) the window (issue 11) --------------------------------------------------------------------
# One block, so that it moves as a whole: Debian's Chromium (the e2e tests; browser mode's browser),
# one try at Electron's binary (npm install skips it; it cannot be downloaded on closed networks),
# the renderer (type-check, then Vite to dist/window) and Electron's main/preload (type-check, then
# esbuild to dist/electron), each only when its sources changed.
if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q 'install ok installed'; then
  if [[ $(id -u) -eq 0 ]]; then
    say "installing Debian's chromium (window tests)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >"$STAMPS/chromium-install.log" 2>&1 \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }
  else
    echo "setup: Debian's chromium is missing (the window's tests need it): sudo apt-get install -y --no-install-recommends chromium" >&2
    exit 1
  fi
fi
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
