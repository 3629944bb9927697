// The data layer's public API (see types.ts).

export type { Batch, Dataset, DatasetSpec, FeedInput, FeedTensor, PreprocessSpec, SampleSpec, TensorSetSpec } from './types';
export { feedsOf, LABELS_ARRAY, openTensorSet } from './tensor-set';
export { openDataset } from './dataset';
export { checkAgainstModelInput } from './check';
export { DataError } from './errors';
export type { DataErrorCode } from './errors';
export { selectIndices } from './sample';
