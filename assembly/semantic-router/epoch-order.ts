// The order in which stochastic gradient descent visits the examples, epoch
// by epoch: a Fisher-Yates shuffle driven by a fixed linear congruential
// generator, so the same examples always train the same model.
export class EpochOrder {
  readonly order: Int32Array;
  private seed: u32 = 0x2545f491;

  constructor(n: i32) {
    this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
  }

  /** Shuffles `order` for the next epoch. */
  shuffle(): void {
    const order = this.order;
    for (let i = order.length - 1; i > 0; i--) {
      this.seed = this.seed * 1664525 + 1013904223;
      const j = <i32>(this.seed % <u32>(i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
}
