import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";
import { joinShowroom, sleep, standingPose, walkTo, type Visitor } from "../support/visitor";

describe.each(databaseKinds())("a showroom on %s Postgres", (kind) => {
  let server: TestServer;
  const visitors: Visitor[] = [];
  const join = async (options: Parameters<typeof joinShowroom>[1] = {}) => {
    const visitor = await joinShowroom(server.baseUrl, options);
    visitors.push(visitor);
    await visitor.until(() => visitor.room.state?.avatars?.has(visitor.sessionId) === true, 5000, "own avatar in the state");
    return visitor;
  };

  beforeAll(async () => {
    server = await startTestServer({ database: kind });
  });
  afterAll(async () => {
    await Promise.all(visitors.map((v) => v.leave()));
    await server?.close();
  });

  it("two visitors see each other move within a few patches", async () => {
    const ana = await join({ name: "Ana" });
    const ben = await join({ name: "Ben" });
    await ben.until(() => ben.room.state.avatars.has(ana.sessionId), 3000, "Ana's avatar at Ben's");
    expect(ben.room.state.avatars.get(ana.sessionId)?.name).toBe("Ana");

    await walkTo(ana, 2, 5);
    await ben.until(() => {
      const head = ben.headOf(ana.sessionId);
      return head !== undefined && Math.abs(head.x - 2) < 0.01 && Math.abs(head.z - 5) < 0.01;
    }, 1000, "Ana's new position at Ben's");
    const seen = ben.headOf(ana.sessionId)!;
    expect(seen.y).toBeCloseTo(1.6, 2);
  });

  it("a visitor cannot outrun the speed limit or leave the showroom", async () => {
    const cat = await join({ name: "Cat" });
    const start = cat.headOf(cat.sessionId)!;
    // 20 m in one message: the server moves the avatar only as far as a walk allows.
    cat.sendPose(standingPose(start.x, start.z - 20));
    await sleep(300);
    const after = cat.headOf(cat.sessionId)!;
    expect(start.z - after.z).toBeGreaterThan(0.05);
    expect(start.z - after.z).toBeLessThan(2.5);
    // Walking into the east wall stops at the bounds (maxX 15).
    await walkTo(cat, 14.5, 8).catch(() => undefined);
    for (let i = 0; i < 30; i++) {
      cat.sendPose(standingPose(14.5 + i * 0.09, 8));
      await sleep(33);
    }
    await sleep(200);
    expect(cat.headOf(cat.sessionId)!.x).toBeLessThanOrEqual(15.001);
  });
});
