// Public surface of the quantization numerics: config, scale/zero-point math, histograms,
// calibrators and comparison metrics. The planner, QDQ rewriter and runtime import from here.

export * from './config';
export * from './params';
export * from './histogram';
export * from './metrics';
export * from './calibrators';
