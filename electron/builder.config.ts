// electron-builder configuration (`npm run dist`): a Linux AppImage and .deb. The native addon,
// the engine's native sources (the export compiles against their headers) and the bundled assets
// stay outside the asar, the prebuilt export runtime goes to resources/, and the .deb depends on
// Debian's oneDNN runtime and a C/C++ compiler (the .so export links with it). Electron's fuses
// (the security checklist's last item) turn off what the app never uses: running as plain Node,
// NODE_OPTIONS, --inspect, file:// privileges (the page comes from qwb://); the app loads only
// from its asar.

import type { Configuration } from 'electron-builder';

const config: Configuration = {
  appId: 'dev.quant-workbench.app',
  productName: 'Quant Workbench',
  directories: { output: 'release' },
  extraMetadata: { main: 'dist/electron/main.js' },
  files: ['package.json', 'dist/electron/**', 'dist/engine/**', 'dist/window/**', 'build/Release/qwb_native.node', 'native/**', 'assets/demo/**', '!**/*.map'],
  asar: true,
  asarUnpack: ['build/Release/**', 'native/**', 'assets/**'],
  extraResources: [{ from: '.cache/export-runtime', to: 'export-runtime', filter: ['**/*'] }],
  // The addon is N-API (node-addon-api): ABI-stable, so set-up's build loads in Electron too.
  npmRebuild: false,
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Development',
    maintainer: 'Quant Workbench',
    synopsis: 'Post-training INT8 quantization of ONNX models on x86 CPUs',
  },
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
  deb: {
    depends: ['libdnnl2', 'libgomp1', 'g++', 'libgtk-3-0', 'libnotify4', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0', 'libuuid1', 'libsecret-1-0'],
  },
};

export default config;
