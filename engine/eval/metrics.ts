// Classification metrics over logits: top-k hits and agreement between two prediction lists (the
// one topK of the engine; ties go to the lower class index).

/** Indices of the k largest values of row `r` of a (rows, classes) logits array, best first. */
export function topK(logits: Float32Array, classes: number, r: number, k: number): number[] {
  const best: number[] = [];
  const off = r * classes;
  for (let c = 0; c < classes; c++) {
    const v = logits[off + c];
    let pos = best.length;
    while (pos > 0 && logits[off + best[pos - 1]] < v) pos--;
    if (pos < k) {
      best.splice(pos, 0, c);
      if (best.length > k) best.pop();
    }
  }
  return best;
}

export class TopKAccumulator {
  count = 0;
  top1Hits = 0;
  top5Hits = 0;
  readonly predictions: number[] = [];

  /** Adds a batch of logits (rows, classes) with its labels (integers in [0, classes)). Without
   *  labels (an .npy given no --labels) the predictions still count, for agreement between two
   *  models, and nothing is a hit. */
  add(logits: Float32Array, classes: number, labels?: ArrayLike<number>): void {
    const rows = logits.length / classes;
    if (!Number.isInteger(rows)) throw new RangeError(`${logits.length} logits are not rows of ${classes} classes`);
    if (labels && labels.length !== rows) throw new RangeError(`${rows} logit rows but ${labels.length} labels`);
    for (let r = 0; r < rows; r++) {
      const label = labels?.[r];
      if (label !== undefined && (!Number.isInteger(label) || label < 0 || label >= classes)) throw new RangeError(`label ${label} of sample ${this.count} is outside [0, ${classes})`);
      const top = topK(logits, classes, r, Math.min(5, classes));
      this.predictions.push(top[0]);
      if (top[0] === label) this.top1Hits++;
      if (label !== undefined && top.includes(label)) this.top5Hits++;
      this.count++;
    }
  }

  get top1(): number {
    return this.count ? this.top1Hits / this.count : 0;
  }

  get top5(): number {
    return this.count ? this.top5Hits / this.count : 0;
  }
}

/** Fraction of positions where two prediction lists agree. */
export function agreement(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`agreement: ${a.length} vs ${b.length} predictions`);
  if (a.length === 0) return 1;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}
