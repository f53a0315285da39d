export { cpus, disk, gpus, mem, ports, scalar } from "./factories.js";
export { type AttributeValue, Offer, offerWrappers, wrapOffer } from "./offer.js";
export {
  countPorts,
  listPorts,
  normalizeRanges,
  type PortRange,
  rangesContain,
  subtractRanges,
  takePorts,
} from "./port-ranges.js";
export { type ResourceAmount, ResourceEntry } from "./resource-entry.js";
export { type ResourceOrder, Resources, type ResourcesInput } from "./resources.js";
export { isScalarKind, registerScalarKind, type ScalarKind, scalarKinds } from "./scalar-kinds.js";
export { type WrapperEntry, WrapperRegistry } from "./wrapper-registry.js";
