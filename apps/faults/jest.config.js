import base from "../../jest.base.js";

// One scenario file at a time: they start clusters and processes, and the machine has two cores.
export default {
  ...base,
  maxWorkers: 1,
  testTimeout: 120_000,
  globalSetup: "<rootDir>/test/support/global-setup.js",
  globalTeardown: "<rootDir>/test/support/global-teardown.js",
};
