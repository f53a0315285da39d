import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { OfferSchema, ResourceSchema, Value_Type } from "@satyr/proto";
import {
  cpus,
  disk,
  FunctionTask,
  gpus,
  isResourceError,
  mem,
  Offer,
  offerWrappers,
  ports,
  ResourceEntry,
  Resources,
  registerScalarKind,
  scalar,
  wrapOffer,
} from "../src/index.js";
import { makeOffer, scalarResource } from "./helpers/offers.js";

describe("scalar resources", () => {
  it("builds cpus, mem, disk and gpus with Mesos names and three-decimal amounts", () => {
    const r = Resources.of(cpus(0.1), cpus(0.2), mem(128), disk(512), gpus(1));
    expect(r.cpus).toBe(0.3);
    expect(r.mem).toBe(128);
    expect(r.disk).toBe(512);
    expect(r.gpus).toBe(1);
    const protos = r.toProtos();
    expect(protos.map((p) => [p.name, p.type, p.scalar?.value])).toEqual([
      ["cpus", Value_Type.SCALAR, 0.3],
      ["mem", Value_Type.SCALAR, 128],
      ["disk", Value_Type.SCALAR, 512],
      ["gpus", Value_Type.SCALAR, 1],
    ]);
  });

  it("rejects negative, NaN and unregistered amounts with a ResourceError naming the resource", () => {
    for (const make of [() => cpus(-1), () => mem(Number.NaN), () => scalar("nope", 1), () => ports(1.5)]) {
      let caught: unknown;
      try {
        make();
      } catch (error) {
        caught = error;
      }
      expect(isResourceError(caught)).toBe(true);
    }
    expect(() => cpus(-1)).toThrow(/cpus/);
  });

  it("rejects resources that were not built with the factories (plain objects from JavaScript callers)", () => {
    // Regression (fault suite): a plain object reached bin-packing as NaN demand and stopped the offer pipeline.
    const plain = { name: "cpus", amount: "lots" } as never;
    for (const make of [
      () => Resources.from([plain]),
      () => Resources.of(cpus(1), plain),
      () => Resources.from(plain),
    ]) {
      let caught: unknown;
      try {
        make();
      } catch (error) {
        caught = error;
      }
      expect(isResourceError(caught)).toBe(true);
      expect(caught).toMatchObject({ resource: "cpus", message: expect.stringContaining('"amount":"lots"') });
    }
    expect(() => new FunctionTask({ fn: () => 1, resources: [plain] })).toThrow(
      /must be built with cpus\(\)/,
    );
  });

  it("supports custom scalar kinds through the registry", () => {
    registerScalarKind({ name: "fpgas" });
    const demand = Resources.of(cpus(1), scalar("fpgas", 2));
    expect(demand.scalar("fpgas")).toBe(2);
    expect(demand.fits(Resources.of(cpus(2), scalar("fpgas", 1)))).toBe(false);
    expect(demand.fits(Resources.of(cpus(2), scalar("fpgas", 2)))).toBe(true);
    expect(demand.toVector()).toMatchObject({ cpus: 1, fpgas: 2 });
    expect(() => registerScalarKind({ name: "ports" })).toThrow(/range resource/);
  });
});

describe("Resources arithmetic and comparison (the original's ResourcesMixin cases)", () => {
  const o1 = Resources.of(cpus(1), mem(128), disk(0));
  const t1 = Resources.of(cpus(0.5), mem(128), disk(0));
  const t2 = Resources.of(cpus(1), mem(256), disk(512));
  const t3 = Resources.of(cpus(0.5), mem(256), disk(512));

  it("fits means no dimension larger", () => {
    expect(t1.fits(o1)).toBe(true);
    expect(t3.fits(o1)).toBe(false);
    expect(t3.fits(t2)).toBe(true);
  });

  it("compare is a partial order over every dimension", () => {
    expect(t1.compare(o1)).toBe(-1);
    expect(o1.compare(t1)).toBe(1);
    expect(t3.compare(o1)).toBeUndefined();
    expect(t3.compare(t2)).toBe(-1);
    expect(o1.compare(Resources.of(cpus(1), mem(128)))).toBe(0);
    expect(o1.equals(Resources.of(mem(128), cpus(1)))).toBe(true);
    expect(Resources.of(cpus(1), mem(1)).lessThan(Resources.of(cpus(2), mem(2)))).toBe(true);
    expect(Resources.of(cpus(1), mem(2)).lessThan(Resources.of(cpus(2), mem(2)))).toBe(false);
  });

  it("adds, sums with a zero and subtracts", () => {
    const total = [t1, t2, t3].reduce((a, b) => a.add(b), Resources.empty);
    expect([total.cpus, total.mem, total.disk]).toEqual([2, 640, 1024]);
    const left = t2.subtract(t1);
    expect([left.cpus, left.mem, left.disk]).toEqual([0.5, 128, 512]);
    expect(() => t1.subtract(t2)).toThrow(/not enough cpus/);
  });

  it("compares ports too", () => {
    const offer = Resources.of(cpus(1), ports([[31000, 31001]]));
    expect(Resources.of(ports(2)).fits(offer)).toBe(true);
    expect(Resources.of(ports(3)).fits(offer)).toBe(false);
    expect(Resources.of(ports([[31001, 31001]])).fits(offer)).toBe(true);
    expect(Resources.of(ports([[31002, 31002]])).fits(offer)).toBe(false);
    expect(Resources.of(cpus(1), ports(1)).compare(offer)).toBe(-1);
    expect(offer.subtract(Resources.of(ports([[31000, 31000]]))).ports).toEqual([[31001, 31001]]);
  });
});

describe("port ranges", () => {
  it("normalizes and merges ranges and rejects bad ones", () => {
    expect(
      Resources.of(
        ports([
          [31005, 31010],
          [31000, 31004],
        ]),
      ).ports,
    ).toEqual([[31000, 31010]]);
    expect(() => ports([[10, 5]])).toThrow(/invalid range/);
    expect(Resources.of(ports([[1, 10]])).portCount).toBe(10);
  });
});

describe("offers with resources satyr cannot represent", () => {
  it("leaves out SET resources and types unknown to this version, keeping the rest usable", () => {
    // Regression (fault suite): one such resource made the offer throw in onOffers, so it was neither used nor
    // declined and every pending task waited forever.
    const offer = makeOffer({
      cpus: 2,
      mem: 256,
      resources: [
        create(ResourceSchema, { name: "bugs", type: Value_Type.SET, set: { item: ["a", "b"] } }),
        create(ResourceSchema, { name: "warp", type: 42 as Value_Type, scalar: { value: 1 } }),
      ],
    });
    // Through the wire, as the client receives it: the unknown enum value leaves the required field unset.
    const decoded = fromBinary(OfferSchema, toBinary(OfferSchema, offer));
    for (const raw of [offer, decoded]) {
      const resources = wrapOffer(raw).resources;
      expect(resources.toVector()).toEqual({ cpus: 2, mem: 256, disk: 0 });
      expect(resources.entries.map((e) => e.name)).not.toContain("warp");
      expect(Resources.of(cpus(1), mem(128)).fits(resources)).toBe(true);
    }
    const unknown = decoded.resources.find((r) => r.name === "warp")!;
    expect(() => ResourceEntry.fromProto(unknown)).toThrow(/unknown to this version/);
  });
});

describe("allocate keeps reservations and roles", () => {
  it("takes from the offer with the offer's metadata and assigns concrete ports", () => {
    const reserved = create(ResourceSchema, {
      name: "cpus",
      type: Value_Type.SCALAR,
      scalar: { value: 1 },
      reservations: [{ role: "analytics", principal: "ops" }],
      allocationInfo: { role: "analytics" },
    });
    const offered = Resources.fromProtos([
      scalarResource("cpus", 4, "analytics"),
      reserved,
      scalarResource("mem", 1024, "analytics"),
      ...Resources.of(ports([[31000, 31009]])).toProtos(),
    ]);
    const allocation = offered.allocate(Resources.of(cpus(1.5), mem(256), ports(2)));
    expect(allocation).toBeDefined();
    const taken = allocation?.taken.toProtos() ?? [];
    // Reserved cpus are used first, with their reservation intact.
    const cpuPieces = taken.filter((r) => r.name === "cpus");
    expect(
      cpuPieces.map((r) => [r.scalar?.value, r.reservations[0]?.role ?? "", r.allocationInfo?.role]),
    ).toEqual([
      [1, "analytics", "analytics"],
      [0.5, "", "analytics"],
    ]);
    expect(allocation?.taken.ports).toEqual([[31000, 31001]]);
    expect(allocation?.rest.cpus).toBe(3.5);
    expect(allocation?.rest.ports).toEqual([[31002, 31009]]);
    expect(offered.allocate(Resources.of(cpus(10)))).toBeUndefined();
  });

  it("round-trips through Mesos protos", () => {
    const r = Resources.of(
      cpus(2),
      mem(64),
      ports([
        [8000, 8001],
        [9000, 9000],
      ]),
    );
    const back = Resources.fromProtos(r.toProtos());
    expect(back.equals(r)).toBe(true);
    expect(back.ports).toEqual([
      [8000, 8001],
      [9000, 9000],
    ]);
    expect(() => ResourceEntry.count("ports", 2).toProto()).toThrow(/unassigned/);
  });
});

describe("Offer wrapper", () => {
  it("exposes id, agent, hostname, attributes and resources", () => {
    const offer = wrapOffer(
      makeOffer({
        id: "o1",
        agentId: "a1",
        hostname: "h1",
        cpus: 2,
        mem: 512,
        ports: [[1, 2]],
        attributes: { rack: "r1" },
      }),
    );
    expect(offer).toBeInstanceOf(Offer);
    expect([offer.id, offer.agentId, offer.hostname]).toEqual(["o1", "a1", "h1"]);
    expect(offer.attribute("rack")).toBe("r1");
    expect(offer.attributes).toEqual({ rack: "r1" });
    expect(offer.resources.cpus).toBe(2);
    expect(offer.resources.ports).toEqual([[1, 2]]);
  });

  it("decodes into the most specific registered subclass, newest first", () => {
    class GpuOffer extends Offer {
      get gpuCount(): number {
        return this.resources.gpus;
      }
    }
    class BigGpuOffer extends GpuOffer {}
    const unregisterGpu = offerWrappers.register({
      match: (m) => m.resources.some((r) => r.name === "gpus"),
      wrap: (m) => new GpuOffer(m),
    });
    const unregisterBig = offerWrappers.register({
      match: (m) => m.resources.some((r) => r.name === "gpus" && (r.scalar?.value ?? 0) >= 4),
      wrap: (m) => new BigGpuOffer(m),
    });
    try {
      expect(wrapOffer(makeOffer({ cpus: 1 })).constructor).toBe(Offer);
      const small = wrapOffer(makeOffer({ cpus: 1, gpus: 1 }));
      expect(small.constructor).toBe(GpuOffer);
      expect((small as GpuOffer).gpuCount).toBe(1);
      expect(wrapOffer(makeOffer({ cpus: 1, gpus: 8 })).constructor).toBe(BigGpuOffer);
    } finally {
      unregisterBig();
      unregisterGpu();
    }
    expect(wrapOffer(makeOffer({ cpus: 1, gpus: 8 })).constructor).toBe(Offer);
  });
});
