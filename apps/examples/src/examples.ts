/**
 * Every example, in the order of the original README, with the title run-all prints for it.
 */
import { main as commandTask } from "./command-task.js";
import { main as customOffers } from "./custom-offers.js";
import { main as customScheduler } from "./custom-scheduler.js";
import { main as customTask } from "./custom-task.js";
import { main as dockerTask } from "./docker-task.js";
import { main as functionTask } from "./function-task.js";
import { main as futures } from "./futures.js";
import { main as multiprocessing } from "./multiprocessing.js";
import { main as oneOffExecutor } from "./one-off-executor.js";
import { main as rxPipeline } from "./rx-pipeline.js";
import type { ExampleMain } from "./support/main.js";
import { main as workQueue } from "./work-queue.js";

/** One runnable example: its file name (without extension), a title, and its `main`. */
export interface Example {
  readonly name: string;
  readonly title: string;
  readonly main: ExampleMain;
}

export const examples: readonly Example[] = [
  { name: "futures", title: "Futures interface (MesosPoolExecutor)", main: futures },
  { name: "multiprocessing", title: "Multiprocessing (Pool)", main: multiprocessing },
  { name: "work-queue", title: "Work queue scheduler (QueueScheduler)", main: workQueue },
  { name: "custom-scheduler", title: "Custom scheduler (onUpdate)", main: customScheduler },
  { name: "custom-offers", title: "Custom offer handling (Scheduler.onOffers)", main: customOffers },
  { name: "rx-pipeline", title: "Custom RxJS offer pipeline", main: rxPipeline },
  { name: "command-task", title: "Command task", main: commandTask },
  { name: "docker-task", title: "Docker task", main: dockerTask },
  { name: "function-task", title: "Function task (PythonTask)", main: functionTask },
  { name: "custom-task", title: "Custom task (Task subclass)", main: customTask },
  { name: "one-off-executor", title: "One-off executor", main: oneOffExecutor },
];
