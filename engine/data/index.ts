// The data layer's public API (see types.ts).

export type { Batch, Dataset, DatasetSpec, PreprocessSpec, SampleSpec } from './types';
export { openDataset } from './dataset';
export { checkAgainstModelInput } from './check';
export { DataError } from './errors';
export type { DataErrorCode } from './errors';
export { selectIndices } from './sample';
