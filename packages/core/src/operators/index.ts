export { type DeclineRestOptions, declineRest } from "./decline-rest.js";
export { type LaunchOnOptions, type LaunchOutcome, launchOn } from "./launch-on.js";
export { type PackWithOptions, packWith } from "./pack-with.js";
export {
  type OfferPlacement,
  type PlacedTask,
  type PlacementOptions,
  type PlacementRound,
  Placer,
} from "./placer.js";
export { byTask, statuses, type TaskStatusStream, taskStatuses, terminalStatuses } from "./task-updates.js";
