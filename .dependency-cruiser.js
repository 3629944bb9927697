// Layer rules of ARCHITECTURE.md, checked by `npm test` (scripts/check-layers.js) before any test
// file runs. No exceptions are listed: a violation is fixed in the code, not here.
//
// engine/ layers, bottom to top; a module imports only its own layer and those below it:
//   base     engine/*.ts (package-root) and plan/ (the plan format: the wire contract with native/)
//   ir       graph, tensor, graph utilities, MACs: the data structures, knowing nothing of ops
//   onnx     ModelProto <-> ir (builds ir objects; ops need its dtype codes)
//   ops      one file per ONNX op: shape rule, lowering to plan steps
//   passes   shape inference, constant folding, BN folding, fusions, QDQ fusion (they run ops' rules)
//   runtime  lowering to a plan, the native addon wrapper, sessions, profiles
//   data     datasets and preprocessing (above runtime per ARCHITECTURE.md; it needs only ir)
//   quant    calibrators, quant config, planner, QDQ writer (run sessions over data)
//   eval     metrics
//   export   .so artifact, reports
//   api      the service behind the contract (jobs)
//   host     the engine process entry and the Node host
//   cli      `qwb`
// engine/api/contract.ts is the leaf every layer may import (types and the method list): it
// imports nothing itself.
'use strict';

const LAYERS = ['base', 'ir', 'onnx', 'ops', 'passes', 'runtime', 'data', 'quant', 'eval', 'export', 'api', 'host', 'cli'];
/** Path pattern of each layer's modules. */
const PATH = (layer) => (layer === 'base' ? '^engine/([^/]+\\.ts$|plan/)' : `^engine/${layer}/`);
const CONTRACT = '^engine/api/contract\\.ts$';

const upward = LAYERS.map((layer, i) => ({
  name: `engine-${layer}-no-upward-import`,
  severity: 'error',
  comment: `engine/ layers import only downwards (${LAYERS.join(' < ')}); ${layer} may not import ${LAYERS.slice(i + 1).join(', ') || 'anything above'}`,
  from: { path: PATH(layer) },
  to: { path: LAYERS.slice(i + 1).map(PATH), pathNot: CONTRACT },
})).filter((r) => r.to.path.length > 0);

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'engine-module-in-a-layer',
      severity: 'error',
      comment: 'every engine/ module belongs to a layer of .dependency-cruiser.js (add a new folder to LAYERS)',
      from: { path: '^engine/', pathNot: LAYERS.map(PATH) },
      to: {},
    },
    {
      name: 'contract-is-a-leaf',
      severity: 'error',
      comment: 'engine/api/contract.ts imports nothing: the renderer, the electron shell and every adapter import it',
      from: { path: CONTRACT },
      to: {},
    },
    {
      name: 'engine-no-electron',
      severity: 'error',
      comment: 'engine/ is pure Node: no electron (the engine runs in its own process, never in the shell)',
      from: { path: '^engine/' },
      to: { path: ['^electron$', '^electron/'] },
    },
    {
      name: 'renderer-no-node',
      severity: 'error',
      comment: 'renderer/ is browser code: no Node builtins',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-no-electron',
      severity: 'error',
      comment: 'renderer/ talks to the shell only through the preload bridge, never electron itself',
      from: { path: '^renderer/' },
      to: { path: ['^electron$', '^electron/', '(^|/)node_modules/electron/'] },
    },
    {
      name: 'renderer-only-contract-types',
      severity: 'error',
      comment: 'renderer/ may import from engine/ only the contract, and only its types',
      from: { path: '^renderer/' },
      to: { path: '^engine/', pathNot: CONTRACT },
    },
    {
      name: 'renderer-contract-as-types',
      severity: 'error',
      comment: 'renderer/ imports the contract as types (import type), so no engine code is bundled',
      from: { path: '^renderer/' },
      to: { path: CONTRACT, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'electron-shell-only',
      severity: 'error',
      comment: 'electron/ holds main/preload only (no business logic): it may import from engine/ the contract and the engine-host entry',
      from: { path: '^electron/' },
      to: { path: '^engine/', pathNot: [CONTRACT, '^engine/host/[^/]+\\.ts$'] },
    },
    {
      name: 'electron-no-renderer',
      severity: 'error',
      comment: 'electron/ loads the renderer as a page, never imports it',
      from: { path: '^electron/' },
      to: { path: '^renderer/' },
    },
    {
      name: 'engine-no-cycles',
      severity: 'error',
      comment: 'no import cycles inside engine/ (type-only imports included)',
      from: { path: '^engine/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|build)/' },
    // Type-only imports count: they are layering too (the contract <-> bench-job cycle was type-only).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
