import * as binpack from "../src/index.js";

test("barrel loads", () => {
  expect(typeof binpack).toBe("object");
});
