import { create } from "@bufbuild/protobuf";
import { encodeRecord, executor, executorCodecs, readRecords } from "@satyr/proto";
import { LocalCluster } from "../src/index.js";
import {
  customTask,
  httpsStatus,
  post,
  Scheduler,
  selfSignedCertificate,
  sleep,
  teardownAll,
} from "./helpers.js";

afterEach(() => teardownAll());

test("tls: the master serves https", async () => {
  const tls = selfSignedCertificate();
  await using cluster = await LocalCluster.start({ tls, resources: { cpus: 1, mem: 256 } });
  expect(cluster.masterUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  expect(await httpsStatus(`${cluster.masterUrl}/health`, tls.cert)).toBe(200);
});

test("the executor API speaks protobuf too", async () => {
  await using cluster = await LocalCluster.start({
    resources: { cpus: 1, mem: 256 },
    allocationIntervalMs: 200,
  });
  const s = await Scheduler.subscribe(cluster.masterUrl);
  const offer = (await s.sub.offers())[0];
  await s.launch(offer, [customTask("pb-task", "pb-exec", "sleep 30")]);
  await sleep(100);
  const codecs = executorCodecs("protobuf");
  const agent = cluster.agents[0]!;
  const call = create(executor.CallSchema, {
    type: executor.Call_Type.SUBSCRIBE,
    frameworkId: { value: s.frameworkId },
    executorId: { value: "pb-exec" },
    subscribe: {},
  });
  const res = await fetch(`${agent.url}/api/v1/executor`, {
    method: "POST",
    headers: { "Content-Type": "application/x-protobuf", Accept: "application/x-protobuf" },
    body: codecs.call.encode(call),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/x-protobuf");
  const types: executor.Event_Type[] = [];
  for await (const record of readRecords(res.body as unknown as AsyncIterable<Uint8Array>)) {
    types.push(codecs.event.decode(record).type);
    if (types.length === 2) break;
  }
  expect(types).toEqual([executor.Event_Type.SUBSCRIBED, executor.Event_Type.LAUNCH]);
  const bad = await post(
    `${agent.url}/api/v1/executor`,
    Buffer.from(encodeRecord(new Uint8Array([0xff, 0xff]))),
    {
      "Content-Type": "application/x-protobuf",
    },
  );
  expect([bad.status, bad.body]).toEqual([400, "Failed to parse body into Call protobuf"]);
});
