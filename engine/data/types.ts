// The calibration / evaluation dataset API shared by engine/quant, engine/eval, the CLI and the window.
// Specs are plain serialisable objects (what `--calib DATA --size 224,224 --rgb ...` and the wizard
// produce); openDataset (dataset.ts) turns them into a streamed Dataset.

/** Where the data lives. Labels of an IDX/NPY source come from a separate file; a folder's labels
 *  come from its class subfolders (sorted names -> class index; a flat folder has no labels). */
export type DatasetSpec =
  | { kind: 'idx'; images: string; labels?: string }
  /** layout: how a rank-4 array is read; absent = decided from the shape (see readers/npy-header.ts). */
  | { kind: 'npy'; data: string; labels?: string; layout?: 'nchw' | 'nhwc' }
  | { kind: 'folder'; root: string };

/** Declared preprocessing, applied per item, in this order:
 *  resize + center crop -> colour conversion -> value * scale -> (value - mean[c]) / std[c] -> NCHW. */
export interface PreprocessSpec {
  /** [h, w]: scale so that the image covers h x w (the shorter side fits), then center crop. Absent = keep. */
  size?: [number, number];
  /** Output channels. gray = 1 channel (BT.601 luma from RGB); rgb/bgr = 3 (gray replicated).
   *  Absent = the source's own: gray for 1-channel sources, rgb for 3-channel ones. */
  color?: 'gray' | 'rgb' | 'bgr';
  /** Multiplies raw values. Absent = 1/255 for uint8 sources (IDX, uint8 NPY, images), 1 for float32 NPY. */
  scale?: number;
  /** Per output channel, in output channel order (for bgr, mean[0] is blue); length 1 or C. Default [0]. */
  mean?: number[];
  /** Per output channel, length 1 or C, non-zero. Default [1]. */
  std?: number[];
  layout?: 'nchw';
}

/** Which items: absent count = all; seed = a seeded random `count` items, else the first `count`.
 *  A count above the dataset's size takes all. Selected items are always visited in ascending index
 *  order (which lets compressed files be read in one forward pass). */
export interface SampleSpec {
  count?: number;
  seed?: number;
}

/** One model input's values in a batch of a tensor set (any dtype a model input takes). */
export interface FeedTensor {
  dims: number[];
  data: Float32Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;
}

/** Where a tensor set lives (one array per model input, NAME -> values, first dim = items): an
 *  .npz archive, or one .npy file per input. An array named `labels` holds class indices. */
export type TensorSetSpec = { kind: 'npz'; file: string } | { kind: 'arrays'; files: Record<string, string> };

/** A model input as a tensor set is checked against: ONNX dtype and declared dims (batch first). */
export interface FeedInput {
  name: string;
  dtype: string;
  /** Absent: the model declares no shape (only item counts are checked). */
  dims?: (number | string)[];
}

export interface Batch {
  /** NCHW float32, dims[0] items (image datasets). A tensor set's batch has dims [n] and no data
   *  here: its values are in `feeds`. */
  data: Float32Array;
  dims: number[];
  /** Tensor sets: one tensor per model input, each with dims[0] = dims[0] of this batch. */
  feeds?: Record<string, FeedTensor>;
  /** Class index per item, when the dataset has labels. */
  labels?: Int32Array;
  /** Index of each item in the source (record number, or position in the sorted file list). */
  indices: number[];
}

export interface Dataset {
  /** The path the data came from, for messages. */
  readonly source: string;
  /** Items selected by the SampleSpec. */
  readonly count: number;
  /** Items in the source before sampling. */
  readonly total: number;
  /** [C, H, W] of one item after preprocessing (a tensor set: the dims of one item of its first input). */
  readonly itemDims: number[];
  /** Tensor sets: the model inputs each batch feeds (`Batch.feeds`), with their per-item dims. */
  readonly inputs?: { name: string; dtype: string; itemDims: number[] }[];
  readonly hasLabels: boolean;
  /** Folder datasets with class subfolders: the class names, index = label. */
  readonly classes?: string[];
  /** Streams the selected items; memory is bounded by one batch whatever the dataset size.
   *  Rejects with a DataError (code 'ABORT_ERR', name 'AbortError') once `signal` aborts. */
  batches(batchSize: number, signal?: AbortSignal): AsyncIterable<Batch>;
}
