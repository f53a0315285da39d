/**
 * Asserts that two decoded values are the same in every way a caller could observe: same prototype (which is
 * how protobuf-es tells a set proto2 field from its default), same own keys in the same order, and equal
 * values (Object.is for numbers, so -0 and NaN count; bytes compared by content). Throws naming the path.
 */
export function expectSameMessage(actual: unknown, expected: unknown, path = "$"): void {
  if (typeof actual !== typeof expected) {
    throw new Error(`${path}: ${typeof actual} instead of ${typeof expected}`);
  }
  if (expected instanceof Uint8Array) {
    if (!(actual instanceof Uint8Array)) throw new Error(`${path}: not a Uint8Array`);
    if (actual.length !== expected.length || actual.some((b, i) => b !== expected[i])) {
      throw new Error(`${path}: bytes [${actual}] instead of [${expected}]`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) throw new Error(`${path}: not an array`);
    if (actual.length !== expected.length)
      throw new Error(`${path}: length ${actual.length} instead of ${expected.length}`);
    for (let i = 0; i < expected.length; i++) expectSameMessage(actual[i], expected[i], `${path}[${i}]`);
    return;
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null) throw new Error(`${path}: not an object`);
    if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) {
      throw new Error(`${path}: different prototype`);
    }
    const actualKeys = Object.keys(actual);
    const expectedKeys = Object.keys(expected);
    if (actualKeys.join() !== expectedKeys.join()) {
      throw new Error(`${path}: own keys [${actualKeys}] instead of [${expectedKeys}]`);
    }
    for (const key of expectedKeys) {
      expectSameMessage(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
    }
    return;
  }
  if (!Object.is(actual, expected))
    throw new Error(`${path}: ${String(actual)} instead of ${String(expected)}`);
}
