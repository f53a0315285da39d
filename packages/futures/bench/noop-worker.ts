// piscina's side of the comparison: the same no-op call, run in a worker thread.
export default function noop(): undefined {
  return undefined;
}
