import { Reflection } from "@colyseus/schema";
import { inflateSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordingDetail } from "../../schema/recording";
import { FrameKind, readFrames } from "../../server/recording/format";
import { startTestServer, type TestServer } from "../support/server";
import { holdPose, joinShowroom, productAt, standingPose, teleportTo, type Visitor, walkTo } from "../support/visitor";
import { waitFor } from "../support/wait";
import { createStaff, customerAsksForHelp, joinAsCustomer, signIn, type StaffConsole } from "./support-fixtures";

const AVATAR_FIELDS = ["name", "role", "connected", "hxz", "hy", "hq", "lxz", "ly", "lq", "rxz", "ry", "rq"] as const;
const PRODUCT_FIELDS = ["sku", "xz", "y", "q", "heldBy", "hand"] as const;

interface Keyed {
  forEach(visit: (value: Record<string, unknown>, key: string) => void): void;
}

/**
 * Every field of every avatar and product, keys sorted: the same text for the SDK's decoded state
 * and a decoder built from the recording's reflection.
 */
function snapshotOf(state: unknown): string {
  const { avatars, products } = state as { avatars: Keyed; products: Keyed };
  const pick = (map: Keyed, fields: readonly string[]) => {
    const entries: [string, Record<string, unknown>][] = [];
    map.forEach((value, key) => {
      entries.push([key, Object.fromEntries(fields.map((f) => [f, value[f]]))]);
    });
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  };
  return JSON.stringify({ avatars: pick(avatars, AVATAR_FIELDS), products: pick(products, PRODUCT_FIELDS) });
}

interface RecordedState {
  seq: number;
  /** The frame's place in its chunk: 0 is the chunk's keyframe. */
  index: number;
  kind: FrameKind;
  tMs: number;
  state: string;
}

async function api(server: TestServer, path: string, cookie: string) {
  const response = await fetch(`${server.baseUrl}/api/recordings${path}`, { headers: { cookie } });
  expect(response.status, path).toBe(200);
  return response;
}

/** The state after each frame of the recording, decoded from the chunks the API serves. */
async function recordedStates(server: TestServer, manager: StaffConsole, detail: RecordingDetail) {
  const states: RecordedState[] = [];
  for (const chunk of detail.chunks) {
    const served = await api(server, `/${detail.recording.id}/chunks/${chunk.seq}`, manager.cookie);
    const decoder = Reflection.decode(Buffer.from(detail.format.reflection, "base64"));
    readFrames(inflateSync(new Uint8Array(await served.arrayBuffer()))).forEach((frame, index) => {
      decoder.decode(frame.bytes);
      states.push({ seq: chunk.seq, index, kind: frame.kind, tMs: frame.tMs, state: snapshotOf(decoder.state) });
    });
  }
  return states;
}

describe("a recording played back", () => {
  let server: TestServer;
  const visitors: Visitor[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await Promise.all(visitors.map((v) => v.leave()));
    await server?.close();
  });

  it("holds, patch for patch, the state a live full-view client decoded, and a marker for every interaction in its span", async () => {
    const managerAccount = await createStaff(server, "manager", "Mia");
    // The watcher opens the room: the recording starts with it.
    const watcher = await joinShowroom(server.baseUrl, { name: "Watcher" });
    visitors.push(watcher);
    const live: string[] = [];
    let joined = false;
    watcher.room.onStateChange((state) => {
      // The first call is the state at joining, which may hold changes not yet patched: only patches count.
      if (!joined) {
        joined = true;
        return;
      }
      const snapshot = snapshotOf(state);
      if (snapshot !== live.at(-1)) live.push(snapshot);
    });

    const ana = await joinAsCustomer(server, "Ana");
    const ben = await joinAsCustomer(server, "Ben");
    const cy = await joinAsCustomer(server, "Cy");
    visitors.push(ana, ben, cy);

    // Ana walks to the vase, takes it, lifts it 40 cm and puts it down.
    await teleportTo(ana, -0.5, -3.2);
    await holdPose(ana, standingPose(-0.5, -3.2, 0, [-0.2, 0.9, -3.8]));
    ana.room.send("grab", { sku: "VASE-KOI", hand: 1 });
    await watcher.until(() => productAt(watcher, "VASE-KOI")?.heldBy === ana.sessionId, 8000, "the vase held by Ana");
    await holdPose(ana, standingPose(-0.5, -3.2, 0, [-0.2, 1.3, -3.8]));
    ana.room.send("release", { hand: 1 });
    await watcher.until(() => productAt(watcher, "VASE-KOI")?.heldBy === "", 8000, "the vase released");

    // Ben walks a square's two sides and says hello; Cy goes to the sofa and asks for help.
    await walkTo(ben, 1, 1);
    await walkTo(ben, 2, 0, 1);
    ben.room.send("chat", { text: "Hello from Ben", clientMessageId: "ben-1" });
    await teleportTo(cy, 3, 2);
    await customerAsksForHelp(cy, "Do you deliver on Saturdays?");
    await holdPose(cy, standingPose(3.5, 2, 0.5));

    const customers = [ana, ben, cy].map((v) => v.guest.customerId);
    await waitFor(
      () =>
        server.database.pool
          .query<{ type: string }>("SELECT type FROM interactions WHERE customer_id = ANY($1)", [customers])
          .then((r) => r.rows.map((row) => row.type)),
      (types) => ["product_grabbed", "product_released", "chat", "support_requested"].every((t) => types.includes(t)),
      10_000,
      "the grab, release, chat and help request in the CRM",
    );
    // At least one chunk sealed: the recording crosses a keyframe boundary while everyone is in it.
    await waitFor(
      () => server.database.pool.query("SELECT seq FROM recording_chunks").then((r) => r.rows),
      (rows) => rows.length >= 1,
      15_000,
      "a first chunk written",
    );
    await holdPose(ben, standingPose(2.5, 0.5, 1));

    expect(await server.stop()).toBe(0);
    visitors.length = 0;
    await server.restart();
    const manager = await signIn(server, managerAccount);

    const [row] = (
      await server.database.pool.query<{ id: string; showroom_id: string; started_at: Date; ended_at: Date }>(
        "SELECT id, showroom_id, started_at, ended_at FROM recordings",
      )
    ).rows;
    if (!row) throw new Error("no recording");
    const detail = (await (await api(server, `/${row.id}`, manager.cookie)).json()) as RecordingDetail;
    expect(detail.chunks.length).toBeGreaterThanOrEqual(2);
    const recorded = await recordedStates(server, manager, detail);

    // Every state the live client decoded is, in order, a state of the recording.
    expect(live.length).toBeGreaterThan(50);
    const matched: RecordedState[] = [];
    let at = 0;
    for (const [i, snapshot] of live.entries()) {
      const found = recorded.findIndex((r, j) => j >= at && r.state === snapshot);
      expect(found, `live state ${i} of ${live.length} in the recording`).toBeGreaterThanOrEqual(0);
      const frame = recorded[found];
      if (frame) matched.push(frame);
      at = found + 1;
    }
    // Field for field at moments spread over the session (the readable comparison of a few).
    for (const i of [0, 1, 2, 3, 4].map((k) => Math.floor((k * (live.length - 1)) / 4))) {
      expect(JSON.parse(matched[i]?.state ?? "null")).toEqual(JSON.parse(live[i] ?? ""));
    }
    // One while the vase is held in Ana's right hand.
    const held = matched.find((m) => {
      const vase = (JSON.parse(m.state) as { products: Record<string, { heldBy: string; hand: number }> }).products[
        "VASE-KOI"
      ];
      return vase?.heldBy === ana.sessionId && vase.hand === 1;
    });
    expect(held, "a live state with the vase held").toBeDefined();
    // One the first patch after a keyframe of a later chunk, decoded from that keyframe.
    const afterKeyframe = matched.find((m) => m.seq >= 1 && m.index === 1 && m.kind === FrameKind.Patch);
    expect(afterKeyframe, "a live state right after a keyframe boundary").toBeDefined();
    const avatars = JSON.parse(afterKeyframe?.state ?? "{}").avatars as Record<string, { name: string }>;
    expect(
      Object.values(avatars)
        .map((a) => a.name)
        .sort(),
    ).toEqual(["Ana", "Assistant", "Ben", "Cy", "Watcher"]);

    // The markers are the interactions of the recording's showroom and span, one to one.
    const startedAt = row.started_at.getTime();
    const interactions = (
      await server.database.pool.query<{
        type: string;
        customer_id: string | null;
        product_sku: string | null;
        session_id: string | null;
        occurred_at: Date;
      }>(
        `SELECT type, customer_id, product_sku, payload->>'sessionId' AS session_id, occurred_at FROM interactions
         WHERE showroom_id = $1 AND occurred_at >= $2 AND occurred_at <= $3`,
        [row.showroom_id, row.started_at, row.ended_at],
      )
    ).rows;
    const key = (m: {
      atMs: number;
      type: string;
      customerId: string | null;
      productSku: string | null;
      sessionId: string | null;
    }) => `${m.atMs}|${m.type}|${m.customerId}|${m.productSku}|${m.sessionId}`;
    expect(detail.markers.map(key).sort()).toEqual(
      interactions
        .map((r) =>
          key({
            atMs: r.occurred_at.getTime() - startedAt,
            type: r.type,
            customerId: r.customer_id,
            productSku: r.product_sku,
            sessionId: r.session_id,
          }),
        )
        .sort(),
    );
    const markerOf = (type: string, customerId: string) =>
      detail.markers.filter((m) => m.type === type && m.customerId === customerId);
    expect(markerOf("product_grabbed", ana.guest.customerId).map((m) => m.productSku)).toEqual(["VASE-KOI"]);
    expect(markerOf("product_released", ana.guest.customerId).map((m) => m.productSku)).toEqual(["VASE-KOI"]);
    expect(markerOf("chat", ben.guest.customerId).map((m) => m.label)).toEqual(["Ben: chat: Hello from Ben"]);
    expect(markerOf("support_requested", cy.guest.customerId)).toHaveLength(1);
  });
});
