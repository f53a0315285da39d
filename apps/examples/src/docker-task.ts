/**
 * The original README's Docker task: a command run in a Docker container (`ContainerInfo.DOCKER`). On Apache
 * Mesos with the Docker containerizer it prints `100`; the embedded local cluster has no Docker engine and
 * refuses the launch with a clear reason, which this example shows.
 */
import { CommandTask, cpus, isTaskFailedError, mem, QueueScheduler, run, stateName } from "@satyr/core";
import { NO_DOCKER_MESSAGE } from "@satyr/local";
import { check, type Log, runIfMain } from "./support/main.js";

export async function main(log: Log = console.log): Promise<string> {
  const scheduler = new QueueScheduler();
  await using running = await run(scheduler, { name: "satyr-docker-task" });

  const task = new CommandTask({
    name: "docker-task",
    command: "echo 100",
    container: { docker: { image: process.env.SATYR_EXAMPLE_IMAGE ?? "alpine:3" } },
    resources: [cpus(0.1), mem(64)],
    // A container that cannot start is retried as an infrastructure failure; once is enough to see why.
    maxAttempts: 1,
  });
  log(
    `launching "echo 100" in the Docker image ${process.env.SATYR_EXAMPLE_IMAGE ?? "alpine:3"} on ${running.master}`,
  );
  const outcome = await scheduler.submit(task).then(
    (status) => ({ ok: true as const, status }),
    (error: unknown) => ({ ok: false as const, error }),
  );

  if (outcome.ok) {
    log(`the container ran: ${stateName(outcome.status.state)}`);
    check(stateName(outcome.status.state) === "TASK_FINISHED", "the container did not finish");
    return "echo 100 ran in a Docker container";
  }
  const { error } = outcome;
  if (isTaskFailedError(error) && error.message.includes(NO_DOCKER_MESSAGE)) {
    log(`refused, as expected on the local cluster: ${error.reason}: ${NO_DOCKER_MESSAGE}`);
    check(error.reason === "REASON_CONTAINER_LAUNCH_FAILED", `unexpected reason ${error.reason}`);
    return `the local cluster refused Docker clearly (${error.reason}); on Mesos with Docker it runs`;
  }
  throw error;
}

runIfMain(import.meta.url, main);
