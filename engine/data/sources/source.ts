// What each kind of dataset source provides to openDataset: its size, the shape of its items, its
// labels, and a reader of raw items by ascending index.

import type { RawItem, SourceShape } from '../preprocess';

export interface Source {
  path: string;
  total: number;
  /** Item shape (a folder: its first image's), and whether the values are uint8. */
  shape: SourceShape;
  /** One label per item (index = item index), when the source has labels. */
  labels?: Int32Array;
  classes?: string[];
  /** Yields the items at `indices` (ascending), one at a time; closing the iterator frees the file. */
  read(indices: number[]): AsyncIterable<RawItem>;
}
