// The piscina worker of the throughput bench: a no-op task, the least a worker-thread pool can be asked to do.
export default function noop() {
  return null;
}
