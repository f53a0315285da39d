import { isValidUuid, randomUuidBytes, uuidBytes, uuidKey, uuidText } from "../src/index.js";

describe("uuid helpers", () => {
  it("uuidKey tells UUIDs apart exactly as their text does", () => {
    const uuids = Array.from({ length: 1000 }, () => randomUuidBytes());
    expect(new Set(uuids.map(uuidKey)).size).toBe(new Set(uuids.map(uuidText)).size);
    const text = "00112233-4455-4677-8899-aabbccddeeff";
    expect(uuidKey(uuidBytes(text))).toBe(uuidKey(uuidBytes(text)));
    expect(uuidKey(uuidBytes(text))).not.toBe(uuidKey(uuidBytes("00112233-4455-4677-8899-aabbccddeef0")));
  });

  it("isValidUuid accepts versions 1–5 of 16 bytes, as a Mesos agent does", () => {
    expect(isValidUuid(randomUuidBytes())).toBe(true);
    expect(isValidUuid(uuidBytes("00112233-4455-1677-8899-aabbccddeeff"))).toBe(true);
    expect(isValidUuid(new Uint8Array(16))).toBe(false);
    expect(isValidUuid(uuidBytes("00112233-4455-6677-8899-aabbccddeeff"))).toBe(false);
    expect(isValidUuid(new Uint8Array(15).fill(0x40))).toBe(false);
  });
});
