/**
 * Runs every example on the embedded cluster (or on `MESOS_MASTER` when it is set).
 * The examples land with the examples issue; until then this reports that there is nothing to run.
 */
console.log("satyr examples: none yet");
