/**
 * A segment tree over bins keeping, per node, the maximum residual of its subtree in each dimension. A node
 * whose maxima fall short of a demand in any dimension holds no bin that fits, so first fit descends only into
 * subtrees that might hold one and finds the leftmost fitting bin in O(d · log m) when pruning works.
 * @internal
 */
export class MaxTree {
  readonly size: number;
  private readonly d: number;
  private readonly node: Float64Array;

  constructor(residual: Float64Array, m: number, d: number) {
    let size = 1;
    while (size < m) size <<= 1;
    this.size = size;
    this.d = d;
    // Padding leaves hold −∞ so they never fit.
    const node = new Float64Array(2 * size * d).fill(Number.NEGATIVE_INFINITY);
    node.set(residual.subarray(0, m * d), size * d);
    for (let k = size - 1; k >= 1; k--) {
      const a = 2 * k * d;
      const b = a + d;
      const t = k * d;
      for (let x = 0; x < d; x++) {
        const l = node[a + x] as number;
        const r = node[b + x] as number;
        node[t + x] = l > r ? l : r;
      }
    }
    this.node = node;
  }

  /** Leftmost bin whose residual is ≥ `need` in every dimension, or −1. */
  findFirst(need: Float64Array): number {
    const { d, node, size } = this;
    let k = 1;
    for (;;) {
      const t = k * d;
      let covers = true;
      for (let x = 0; x < d; x++) {
        if ((node[t + x] as number) < (need[x] as number)) {
          covers = false;
          break;
        }
      }
      if (covers) {
        if (k >= size) return k - size;
        k <<= 1;
        continue;
      }
      // Next subtree in depth-first order: climb while we are a right child, then step to the right sibling.
      while (k & 1) k >>= 1;
      if (k === 0) return -1;
      k++;
    }
  }

  /** Refreshes bin `j` from `residual` and its ancestors' maxima, stopping once nothing changes. */
  update(j: number, residual: Float64Array): void {
    const { d, node } = this;
    let k = this.size + j;
    node.set(residual.subarray(j * d, j * d + d), k * d);
    k >>= 1;
    while (k >= 1) {
      const a = 2 * k * d;
      const b = a + d;
      const t = k * d;
      let changed = false;
      for (let x = 0; x < d; x++) {
        const l = node[a + x] as number;
        const r = node[b + x] as number;
        const v = l > r ? l : r;
        if (node[t + x] !== v) {
          node[t + x] = v;
          changed = true;
        }
      }
      if (!changed) return;
      k >>= 1;
    }
  }
}
