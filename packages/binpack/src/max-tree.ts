/** Bins per leaf: a short linear scan is cheaper than the last three tree levels, whose maxima prune little. */
const BUCKET = 8;

/**
 * A segment tree over buckets of bins keeping, per node, the maximum residual of its subtree in each
 * dimension. A node whose maxima fall short of a demand in any dimension holds no bin that fits, so first fit
 * descends only into subtrees that might hold one and finds the leftmost fitting bin in O(d · log m) when
 * pruning works. It reads the residuals it indexes in place; call {@link MaxTree.update} after changing one.
 * @internal
 */
export class MaxTree {
  private readonly size: number;
  private readonly d: number;
  private readonly m: number;
  private readonly node: Float64Array;
  private readonly residual: Float64Array;

  constructor(residual: Float64Array, m: number, d: number) {
    const buckets = Math.max(1, Math.ceil(m / BUCKET));
    let size = 1;
    while (size < buckets) size <<= 1;
    this.size = size;
    this.d = d;
    this.m = m;
    this.residual = residual;
    // Padding leaves hold −∞ so they never fit.
    this.node = new Float64Array(2 * size * d).fill(Number.NEGATIVE_INFINITY);
    for (let b = 0; b < buckets; b++) this.refreshLeaf(b);
    for (let k = size - 1; k >= 1; k--) this.refreshNode(k);
  }

  private refreshLeaf(bucket: number): void {
    const { d, node, residual } = this;
    const t = (this.size + bucket) * d;
    const end = Math.min(this.m, (bucket + 1) * BUCKET);
    for (let x = 0; x < d; x++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = bucket * BUCKET; j < end; j++) {
        const v = residual[j * d + x] as number;
        if (v > max) max = v;
      }
      node[t + x] = max;
    }
  }

  /** Recomputes node k from its children; whether anything changed. */
  private refreshNode(k: number): boolean {
    const { d, node } = this;
    const a = 2 * k * d;
    const b = a + d;
    const t = k * d;
    let changed = false;
    for (let x = 0; x < d; x++) {
      const l = node[a + x] as number;
      const r = node[b + x] as number;
      const v = Math.max(l, r);
      if (node[t + x] !== v) {
        node[t + x] = v;
        changed = true;
      }
    }
    return changed;
  }

  /** Leftmost bin whose residual is ≥ `need` in every dimension, or −1. */
  findFirst(need: Float64Array): number {
    const { d, node, size, residual, m } = this;
    let k = 1;
    for (;;) {
      const t = k * d;
      let x = 0;
      while (x < d && (node[t + x] as number) >= (need[x] as number)) x++;
      if (x === d) {
        if (k < size) {
          k <<= 1;
          continue;
        }
        const from = (k - size) * BUCKET;
        const end = Math.min(m, from + BUCKET);
        for (let j = from, base = from * d; j < end; j++, base += d) {
          let y = 0;
          while (y < d && (residual[base + y] as number) >= (need[y] as number)) y++;
          if (y === d) return j;
        }
      }
      // Next subtree in depth-first order: climb while we are a right child, then step to the right sibling.
      while (k & 1) k >>= 1;
      if (k === 0) return -1;
      k++;
    }
  }

  /** Refreshes the maxima above bin `j` after its residual changed, stopping once nothing changes. */
  update(j: number): void {
    const bucket = Math.floor(j / BUCKET);
    this.refreshLeaf(bucket);
    let k = (this.size + bucket) >> 1;
    while (k >= 1 && this.refreshNode(k)) k >>= 1;
  }
}
