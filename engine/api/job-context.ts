// What every job of the service gets from it: the host seam and model/file access that turns
// failures into the service's error codes (service.ts builds it).

import type { Model } from '../ir/graph';
import type { Host } from './host';

export interface JobContext {
  host: Host;
  model(file: string): Promise<Model>;
  read(file: string): Promise<Uint8Array>;
  write(file: string, data: Uint8Array): Promise<void>;
}
