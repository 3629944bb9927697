// Remaining time of a job from its progress counts: the rate so far, measured from the first
// counted event (compile and warm-up before it would make the first estimate far too long).

export interface RateState {
  /** When the first counted event came, and its count. */
  t0?: number;
  done0?: number;
}

/** Seconds left, or undefined until two counted events give a rate. */
export function estimateEta(state: RateState, now: number, done: number, total: number): number | undefined {
  if (state.t0 === undefined || state.done0 === undefined || done <= state.done0 || now <= state.t0) return undefined;
  const rate = (done - state.done0) / ((now - state.t0) / 1000);
  return rate > 0 ? Math.max(0, (total - done) / rate) : undefined;
}
