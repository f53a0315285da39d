import base from "../../jest.base.js";

// Each test runs a whole example on a cluster (a pool's framework start, executors, teardown): allow for slow CI.
export default { ...base, testTimeout: 90_000 };
