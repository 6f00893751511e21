import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { CloseCode, MatchMakeError } from "@colyseus/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoCatalogPath, seedShowroom, type CatalogFile } from "../../db/catalog";
import { encodePoseMessage } from "../../schema/codec";
import { showrooms } from "../../db/schema";
import { databaseKinds } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";
import { MAX_FRAMES_PER_SECOND, STRIKE_LIMIT } from "../../server/room/client-guard";
import { ShowroomCloseCode } from "../../server/room/showroom-room";
import {
  dwellWith,
  guestToken,
  holdPose,
  joinShowroom,
  productAt,
  sendPosesAtFrameRate,
  standingPose,
  teleportTo,
  walkTo,
  type Visitor,
} from "../support/visitor";
import { holdsFor, waitFor } from "../support/wait";

type InteractionRow = {
  type: string;
  customer_id: string;
  product_sku: string | null;
  payload: Record<string, unknown>;
};

describe.each(databaseKinds())("a showroom on %s Postgres", (kind) => {
  let server: TestServer;
  const visitors: Visitor[] = [];
  const join = async (options: Parameters<typeof joinShowroom>[1] = {}) => {
    const visitor = await joinShowroom(server.baseUrl, options);
    visitors.push(visitor);
    await visitor.until(
      () => visitor.room.state?.avatars?.has(visitor.sessionId) === true,
      10_000,
      "own avatar in the state",
    );
    return visitor;
  };
  const interactionsOf = async (customerId: string): Promise<InteractionRow[]> =>
    (
      await server.database.pool.query(
        "SELECT type, customer_id, product_sku, payload FROM interactions WHERE customer_id = $1 ORDER BY occurred_at",
        [customerId],
      )
    ).rows;

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
    await ben.until(() => ben.room.state.avatars.has(ana.sessionId), 8000, "Ana's avatar at Ben's");
    expect(ben.room.state.avatars.get(ana.sessionId)?.name).toBe("Ana");

    await walkTo(ana, 2, 5);
    await ben.until(
      () => {
        const head = ben.headOf(ana.sessionId);
        return head !== undefined && Math.abs(head.x - 2) < 0.01 && Math.abs(head.z - 5) < 0.01;
      },
      8000,
      "Ana's new position at Ben's",
    );
    expect(ben.headOf(ana.sessionId)!.y).toBeCloseTo(1.6, 2);
    await Promise.all([ana.leave(), ben.leave()]);
  });

  it("a visitor cannot outrun the speed limit or walk out of the showroom", async () => {
    const cat = await join({ name: "Cat" });
    const start = cat.headOf(cat.sessionId)!;
    // 20 m in one message: the server moves the avatar only as far as a walk allows.
    cat.sendPose(standingPose(start.x, start.z - 20));
    await cat.until(
      () => start.z - (cat.headOf(cat.sessionId)?.z ?? start.z) > 0.05,
      8000,
      "Cat's one step toward the far pose",
    );
    expect(start.z - cat.headOf(cat.sessionId)!.z).toBeLessThan(2.5);
    await teleportTo(cat, 14, 8);
    await sendPosesAtFrameRate(
      cat,
      Array.from({ length: 30 }, (_, i) => standingPose(14 + i * 0.09, 8)),
    );
    await cat.until(() => (cat.headOf(cat.sessionId)?.x ?? 0) > 14.9, 8000, "Cat at the wall");
    await holdsFor(
      () => cat.headOf(cat.sessionId)!.x,
      (x) => x <= 15.001,
      500,
      "Cat inside the wall at x = 15",
    );
    await cat.leave();
  });

  it("grabbing is exclusive, a held product follows the hand, and a released one stays where it was put", async () => {
    const ana = await join({ name: "Ana" });
    const ben = await join({ name: "Ben" });
    await Promise.all([teleportTo(ana, -0.5, -3.2), teleportTo(ben, 0.5, -3.2)]);
    await Promise.all([
      holdPose(ana, standingPose(-0.5, -3.2, 0, [-0.2, 0.9, -3.8])),
      holdPose(ben, standingPose(0.5, -3.2, 0, [0.2, 0.9, -3.8])),
    ]);

    ana.room.send("grab", { sku: "VASE-KOI", hand: 1 });
    await ben.until(() => productAt(ben, "VASE-KOI")?.heldBy === ana.sessionId, 8000, "the vase held by Ana");
    ben.room.send("grab", { sku: "VASE-KOI", hand: 1 });
    await ben.until(() => ben.received.some((m) => m.type === "grab:refused"), 8000, "Ben's grab refused");
    const refusal = ben.received.find((m) => m.type === "grab:refused");
    expect(refusal?.payload).toMatchObject({ sku: "VASE-KOI", reason: "held_by_other" });
    expect(productAt(ana, "VASE-KOI")?.heldBy).toBe(ana.sessionId);

    // Ana lifts her hand by 40 cm: the vase goes with it.
    const before = productAt(ana, "VASE-KOI")!;
    ana.sendPose(standingPose(-0.5, -3.2, 0, [-0.2, 1.3, -3.8]));
    await ben.until(() => (productAt(ben, "VASE-KOI")?.y ?? 0) > before.y + 0.35, 8000, "the vase lifted");

    ana.room.send("release", { hand: 1 });
    await ben.until(() => productAt(ben, "VASE-KOI")?.heldBy === "", 8000, "the vase released");
    const released = productAt(ben, "VASE-KOI")!;
    // Ana's hand moves away; the vase does not follow it any more.
    await holdPose(ana, standingPose(-0.5, -3.2, 0, [-0.2, 0.9, -3.5]));
    await ben.until(
      () => Math.abs((ben.rightHandOf(ana.sessionId)?.z ?? 0) - -3.5) < 0.02,
      8000,
      "Ana's hand moved away at Ben's",
    );
    expect(productAt(ben, "VASE-KOI")).toEqual(released);
    expect(released.y).toBeCloseTo(before.y + 0.4, 2);

    ben.room.send("grab", { sku: "VASE-KOI", hand: 1 });
    await ana.until(() => productAt(ana, "VASE-KOI")?.heldBy === ben.sessionId, 8000, "the vase now held by Ben");
    ben.room.send("release", { hand: 1 });
    await waitFor(
      () => interactionsOf(ana.guest.customerId),
      (rows) =>
        rows.some((r) => r.type === "product_grabbed" && r.product_sku === "VASE-KOI") &&
        rows.some((r) => r.type === "product_released"),
      5000,
      "Ana's grab and release recorded",
    );
    await Promise.all([ana.leave(), ben.leave()]);
  });

  it("a dropped visitor reconnects to the same avatar, and what they did just before dropping is kept", async () => {
    const dan = await join({ name: "Dan" });
    const eve = await join({ name: "Eve" });
    await teleportTo(dan, 6.5, 2.2);
    await holdPose(dan, standingPose(6.5, 2.2, 0, [6.2, 0.9, 2.6]));
    dan.room.send("grab", { sku: "SPK-ECHO-2", hand: 1 });
    await eve.until(() => productAt(eve, "SPK-ECHO-2")?.heldBy === dan.sessionId, 8000, "the speaker in Dan's hand");
    // Dan lets go and loses the connection before the room's next step takes the release.
    const token = dan.room.reconnectionToken;
    dan.room.send("release", { hand: 1 });
    await dan.room.leave(false);
    await eve.until(
      () => eve.room.state.avatars.get(dan.sessionId)?.connected === false,
      8000,
      "Dan shown as disconnected",
    );
    await eve.until(() => productAt(eve, "SPK-ECHO-2")?.heldBy === "", 8000, "the speaker released");
    await waitFor(
      () => interactionsOf(dan.guest.customerId),
      (rows) => rows.some((r) => r.type === "product_released" && r.product_sku === "SPK-ECHO-2"),
      5000,
      "Dan's release recorded",
    );
    expect(eve.headOf(dan.sessionId)).toMatchObject({ x: expect.closeTo(6.5, 2), z: expect.closeTo(2.2, 2) });

    const room = await dan.client.reconnect(token, dan.room.state.constructor as never);
    expect(room.sessionId).toBe(dan.sessionId);
    await eve.until(() => eve.room.state.avatars.get(dan.sessionId)?.connected === true, 8000, "Dan back");
    const dans = [...eve.room.state.avatars.values()].filter((avatar) => avatar.name === "Dan");
    expect(dans).toHaveLength(1);
    expect(eve.headOf(dan.sessionId)).toMatchObject({ x: expect.closeTo(6.5, 2), z: expect.closeTo(2.2, 2) });
    await room.leave(true);
    await eve.leave();
  });

  describe("a visitor sending what the room refuses", () => {
    const refusalsOf = (visitor: Visitor) => visitor.received.filter((m) => m.type === "refused").map((m) => m.payload);

    it("is told why a malformed pose was refused, and their avatar stays where it was", async () => {
      const mal = await join({ name: "Mallory" });
      const where = mal.headOf(mal.sessionId)!;
      // A pose as an array of numbers instead of 30 bytes, bytes of the wrong length, and bytes
      // whose left-hand rotation code is no unit quaternion.
      const impossibleRotation = encodePoseMessage(standingPose(where.x + 2, where.z));
      impossibleRotation.set([0xff, 0xff, 0xff, 0xff], 16);
      mal.room.send("pose", [NaN, ...standingPose(0, 0).slice(1)]);
      mal.room.sendBytes("pose", new Uint8Array(12));
      mal.room.sendBytes("pose", impossibleRotation);
      await mal.until(() => refusalsOf(mal).length === 3, 8000, "three refusals");
      expect(refusalsOf(mal)).toEqual([
        { type: "pose", reason: "pose must be sent as 30 bytes (encodePoseMessage with sendBytes)" },
        { type: "pose", reason: "pose must be 30 bytes, got 12" },
        { type: "pose", reason: "pose rotation 1 is not a unit quaternion" },
      ]);
      expect(mal.headOf(mal.sessionId)).toEqual(where);
      await mal.leave();
    });

    it("is told which message of another type was refused and why", async () => {
      const nia = await join({ name: "Nia" });
      nia.room.send("grab", { sku: "VASE-KOI", hand: 7 });
      nia.room.send("teleport", { x: Infinity, z: 0 });
      nia.room.send("dance", { style: "tango" });
      await nia.until(() => refusalsOf(nia).length === 3, 8000, "three refusals");
      expect(refusalsOf(nia)).toEqual([
        { type: "grab", reason: "hand must be 0 (left) or 1 (right)" },
        { type: "teleport", reason: "teleport needs finite x and z" },
        { type: "dance", reason: "unknown message type" },
      ]);
      await nia.leave();
    });

    it("has a refused chat line named back to them, so their page can mark it as not sent", async () => {
      const oli = await join({ name: "Oli" });
      oli.room.send("chat", { text: "x".repeat(10_000), clientMessageId: "big" });
      await oli.until(() => oli.received.some((m) => m.type === "chat:refused"), 8000, "the chat line refused");
      expect(oli.received.filter((m) => m.type === "chat:refused").map((m) => m.payload)).toEqual([
        { clientMessageId: "big", reason: expect.stringMatching(/^chat text/) },
      ]);
      expect(oli.received.some((m) => m.type === "chat:ack")).toBe(false);
      await oli.leave();
    });

    it("does not stop the others in the room from moving and being seen", async () => {
      const mal = await join({ name: "Mallory" });
      const fay = await join({ name: "Fay" });
      const where = mal.headOf(mal.sessionId)!;
      for (let i = 0; i < 10; i++) mal.room.send("pose", "up");
      await walkTo(fay, where.x + 1, where.z - 1);
      await mal.until(
        () => Math.abs((mal.headOf(fay.sessionId)?.x ?? 0) - (where.x + 1)) < 0.01,
        8000,
        "Fay's move seen by Mallory",
      );
      await Promise.all([mal.leave(), fay.leave()]);
    });

    it("who keeps at it is disconnected with close code 4400 and their avatar removed", async () => {
      const mal = await join({ name: "Mallory" });
      const fay = await join({ name: "Fay" });
      const closed = new Promise<number>((resolve) => mal.room.onLeave((code) => resolve(code)));
      for (let i = 0; i < STRIKE_LIMIT + 5; i++) mal.room.send("pose", [NaN]);
      expect(await closed).toBe(ShowroomCloseCode.TooManyInvalidMessages);
      await fay.until(() => !fay.room.state.avatars.has(mal.sessionId), 8000, "Mallory removed");
      await fay.leave();
    });

    it("who floods valid poses is told they send too many messages", async () => {
      const fay = await join({ name: "Fay" });
      const where = fay.headOf(fay.sessionId)!;
      for (let i = 0; i < 100; i++) fay.sendPose(standingPose(where.x + 1, where.z - 1));
      await fay.until(
        () => refusalsOf(fay).some((r) => r.type === "pose" && r.reason === "too many messages"),
        8000,
        "rate limit",
      );
      await fay.leave();
    });

    // Requests for types the room does not have are answered by Colyseus, not the room's door.
    it("who floods requests for types the room does not have loses the connection", async () => {
      const rex = await join({ name: "Rex" });
      const dropped = new Promise<number>((resolve) => rex.room.onLeave((code) => resolve(code)));
      for (let i = 0; i < MAX_FRAMES_PER_SECOND + 20; i++) rex.room.request("no-such-type", {}).catch(() => undefined);
      expect(await dropped).toBe(CloseCode.WITH_ERROR);
      expect(rex.room.connection.isOpen).toBe(false);
    });
  });

  it("records chat (acknowledged only once committed) and product dwell for the right customer", async () => {
    const gus = await join({ name: "Gus" });
    const hal = await join({ name: "Hal" });
    gus.room.send("chat", { text: "  Is the Oslo sofa available in navy?  ", clientMessageId: "c-1" });
    await gus.until(() => gus.received.some((m) => m.type === "chat:ack"), 8000, "chat ack");
    const ack = gus.received.find((m) => m.type === "chat:ack")!.payload as { id: string; clientMessageId: string };
    const { rows } = await server.database.pool.query(
      "SELECT customer_id, type, payload FROM interactions WHERE id = $1",
      [ack.id],
    );
    expect(rows).toEqual([
      {
        customer_id: gus.guest.customerId,
        type: "chat",
        payload: expect.objectContaining({ text: "Is the Oslo sofa available in navy?" }),
      },
    ]);
    await hal.until(
      () => hal.received.some((m) => m.type === "chat" && m.payload.id === ack.id),
      8000,
      "chat shown to Hal",
    );
    expect(hal.received.find((m) => m.type === "chat")?.payload).toMatchObject({
      name: "Gus",
      sessionId: gus.sessionId,
    });

    // Gus looks at the Oslo sofa for 2.6 s from 2 m away, then turns around.
    await teleportTo(gus, -8, -2);
    await dwellWith(gus, standingPose(-8, -2, 0));
    gus.sendPose(standingPose(-8, -2, Math.PI));
    const dwells = await waitFor(
      () => interactionsOf(gus.guest.customerId),
      (list) => list.some((r) => r.type === "product_dwell"),
      5000,
      "Gus's dwell recorded",
    );
    const dwell = dwells.find((r) => r.type === "product_dwell")!;
    expect(dwell.product_sku).toBe("SOFA-OSLO-3");
    expect(Number(dwell.payload.durationMs)).toBeGreaterThanOrEqual(2000);
    expect(dwells.filter((r) => r.type === "product_dwell" && r.customer_id === hal.guest.customerId)).toHaveLength(0);
    await Promise.all([gus.leave(), hal.leave()]);
  });

  it("admits only tokens it signed, for the role they were signed for, and a returning visitor is the same customer", async () => {
    await expect(joinShowroom(server.baseUrl, { token: "v1.forged.token" })).rejects.toThrow(
      /not signed by this server|malformed/,
    );
    await expect(joinShowroom(server.baseUrl, { role: "agent" })).rejects.toThrow(/signed for a customer/);
    await expect(joinShowroom(server.baseUrl, { slug: "no-such-room" })).rejects.toThrow(/no showroom called/);
    const first = await guestToken(server.baseUrl);
    const again = await guestToken(server.baseUrl, first);
    expect(again.customerId).toBe(first.customerId);
    const bad = await fetch(`${server.baseUrl}/api/guest-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(bad.status).toBe(400);
  });

  it("refuses a visitor beyond the showroom's capacity with a clear message", async () => {
    const file = JSON.parse(readFileSync(demoCatalogPath(), "utf8")) as CatalogFile;
    file.showroom.slug = "tiny-room";
    await seedShowroom(server.database.db, file);
    await server.database.db.update(showrooms).set({ capacity: 2 }).where(eq(showrooms.slug, "tiny-room"));
    await join({ slug: "tiny-room", name: "One" });
    await join({ slug: "tiny-room", name: "Two" });
    const refusal = await joinShowroom(server.baseUrl, { slug: "tiny-room", name: "Three" }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(MatchMakeError);
    // The room is locked at capacity, so the matchmaker asks for a second room of the showroom, which is refused.
    expect({ code: (refusal as MatchMakeError).code, message: (refusal as MatchMakeError).message }).toEqual({
      code: 503,
      message: 'The showroom "Home & Living Showroom" is full. Please try again in a few minutes.',
    });
  });
});

describe("stopping the server", () => {
  it("loses no interaction when SIGTERM arrives during activity", async () => {
    const server = await startTestServer();
    try {
      const ivy = await joinShowroom(server.baseUrl, { name: "Ivy" });
      const jon = await joinShowroom(server.baseUrl, { name: "Jon" });
      await ivy.until(() => ivy.headOf(ivy.sessionId) !== undefined);
      await jon.until(() => jon.headOf(jon.sessionId) !== undefined);
      const ivyLooks = (async () => {
        await teleportTo(ivy, -8, -2);
        await dwellWith(ivy, standingPose(-8, -2, 0));
      })();
      await teleportTo(jon, -0.5, -3.2);
      await holdPose(jon, standingPose(-0.5, -3.2, 0, [-0.2, 0.9, -3.8]));
      jon.room.send("grab", { sku: "VASE-KOI", hand: 1 });
      await jon.until(() => productAt(jon, "VASE-KOI")?.heldBy === jon.sessionId, 8000, "vase held");
      jon.room.send("chat", { text: "Going now", clientMessageId: "bye" });
      await jon.until(() => jon.received.some((m) => m.type === "chat:ack"), 8000, "ack");
      await ivyLooks;

      const exitCode = await server.stop();
      expect(exitCode, server.output()).toBe(0);

      const rows = async (customerId: string) =>
        (
          await server.database.pool.query("SELECT type, product_sku FROM interactions WHERE customer_id = $1", [
            customerId,
          ])
        ).rows as Array<{ type: string; product_sku: string | null }>;
      const ivyRows = await rows(ivy.guest.customerId);
      const jonRows = await rows(jon.guest.customerId);
      expect(ivyRows).toContainEqual({ type: "product_dwell", product_sku: "SOFA-OSLO-3" });
      expect(ivyRows.map((r) => r.type)).toEqual(expect.arrayContaining(["session_joined", "session_left"]));
      expect(jonRows.map((r) => r.type)).toEqual(
        expect.arrayContaining(["session_joined", "product_grabbed", "chat", "product_released", "session_left"]),
      );
      const open = await server.database.pool.query("SELECT count(*)::int AS n FROM visits WHERE ended_at IS NULL");
      expect(open.rows).toEqual([{ n: 0 }]);
    } finally {
      await server.close();
    }
  });
});

describe("a showroom opening", () => {
  it("puts visitors who arrive together in one room, while the assistant's model is still being trained", async () => {
    // A data folder of its own: no cached model, so the assistant trains for seconds after start.
    const dataDir = mkdtempSync(join(tmpdir(), "atrium-opening-"));
    const server = await startTestServer({ env: { ATRIUM_DATA_DIR: dataDir } });
    try {
      const names = ["Kai", "Lin", "Max", "Noa"];
      const arrivals = await Promise.all(names.map((name) => joinShowroom(server.baseUrl, { name })));
      for (const visitor of arrivals) {
        await visitor.until(
          () => arrivals.every((other) => visitor.room.state.avatars?.has(other.sessionId)),
          10_000,
          "everyone in one room",
        );
      }
      expect(new Set(arrivals.map((visitor) => visitor.room.roomId)).size).toBe(1);
      await Promise.all(arrivals.map((visitor) => visitor.leave()));
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
