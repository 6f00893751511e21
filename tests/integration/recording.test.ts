import { Reflection } from "@colyseus/schema";
import { eq } from "drizzle-orm";
import { inflateSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingChunks, recordings } from "../../db/schema";
import type { RecordingDetail, RecordingSummary } from "../../schema/recording";
import { readFrames } from "../../server/recording/format";
import { databaseKinds } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";
import { joinShowroom, type Visitor, walkTo } from "../support/visitor";
import { waitFor } from "../support/wait";
import { type StaffConsole, staffConsole } from "./support-fixtures";

async function api<T>(server: TestServer, path: string, cookie?: string) {
  const response = await fetch(`${server.baseUrl}/api/recordings${path}`, { headers: cookie ? { cookie } : {} });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const json = response.headers.get("content-type")?.includes("json")
    ? (JSON.parse(Buffer.from(bytes).toString()) as T)
    : undefined;
  return { status: response.status, body: json, bytes };
}

type Avatars = Map<string, { hxz: number; hy: number; hq: number; name: string }>;

/** Every state of one avatar's head the recording holds, patch by patch, decoded from served chunks. */
async function recordedHeads(server: TestServer, manager: StaffConsole, detail: RecordingDetail, sessionId: string) {
  const heads: string[] = [];
  for (const chunk of detail.chunks) {
    const served = await api(server, `/${detail.recording.id}/chunks/${chunk.seq}`, manager.cookie);
    expect(served.status).toBe(200);
    const decoder = Reflection.decode(Buffer.from(detail.format.reflection, "base64"));
    for (const frame of readFrames(inflateSync(served.bytes))) {
      decoder.decode(frame.bytes);
      const avatar = (decoder.state as unknown as { avatars: Avatars }).avatars.get(sessionId);
      if (avatar) heads.push(`${avatar.hxz}/${avatar.hy}/${avatar.hq}`);
    }
  }
  return heads;
}

describe.each(databaseKinds())("session recording, on %s Postgres", (kind) => {
  let server: TestServer;
  let manager: StaffConsole;
  let agent: StaffConsole;
  const visitors: Visitor[] = [];

  beforeAll(async () => {
    server = await startTestServer({ database: kind });
    manager = await staffConsole(server, "manager", "Mia");
    agent = await staffConsole(server, "agent", "Ari");
  });
  afterAll(async () => {
    await Promise.all(visitors.map((v) => v.leave().catch(() => undefined)));
    await server?.close();
  });

  it("records what a full-view client received, and a SIGTERM writes the open chunk", async () => {
    const watcher = await joinShowroom(server.baseUrl, { name: "Watcher" });
    const walker = await joinShowroom(server.baseUrl, { name: "Walker" });
    visitors.push(watcher, walker);
    const seen: string[] = [];
    watcher.room.onStateChange(() => {
      const avatar = watcher.room.state.avatars.get(walker.sessionId);
      const head = avatar && `${avatar.hxz}/${avatar.hy}/${avatar.hq}`;
      if (head && head !== seen.at(-1)) seen.push(head);
    });
    await walker.until(() => walker.headOf(walker.sessionId) !== undefined, 5000, "the walker's avatar");
    await walkTo(walker, 1, 1);
    await walkTo(walker, 2, 0, 1);
    expect(seen.length).toBeGreaterThan(10);
    walker.room.send("chat", { text: "Hello from the walker", clientMessageId: "c-1" });
    await waitFor(
      () => server.database.db.select().from(recordingChunks),
      (rows) => rows.length >= 1,
      10_000,
      "a chunk written",
    );
    // Stopped with visitors inside: the room closes and seals its open chunk before the database closes.
    expect(await server.stop()).toBe(0);
    visitors.length = 0;
    const [row] = await server.database.db.select().from(recordings);
    expect(row?.endedAt).toBeInstanceOf(Date);
    await server.restart();
    manager = await staffConsole(server, "manager", "Mia");
    agent = await staffConsole(server, "agent", "Ari");

    const list = await api<RecordingSummary[]>(server, "/", manager.cookie);
    expect(list.status).toBe(200);
    const summary = list.body?.find((r) => r.id === row?.id);
    expect(summary?.visitors.map((v) => v.name).sort()).toEqual(["Walker", "Watcher"]);
    const detail = await api<RecordingDetail>(server, `/${row?.id}`, manager.cookie);
    expect(detail.status).toBe(200);
    if (!detail.body) throw new Error("no detail");
    expect(detail.body.chunks.at(-1)?.endMs).toBeGreaterThanOrEqual(detail.body.recording.durationMs - 100);
    // Field for field: every head the live client saw, in order, is in the recording.
    const recorded = await recordedHeads(server, manager, detail.body, walker.sessionId);
    let at = 0;
    for (const head of seen) {
      at = recorded.indexOf(head, at);
      expect(at, `head ${head} recorded`).toBeGreaterThanOrEqual(0);
    }
    expect(detail.body.markers.some((m) => m.type === "session_joined")).toBe(true);
    expect(detail.body.transcript).toContainEqual(
      expect.objectContaining({ kind: "chat", from: "Walker", text: "Hello from the walker" }),
    );
  });

  it("answers managers, refuses agents without a ticket, strangers and bad ids", async () => {
    const [row] = await server.database.db.select().from(recordings);
    expect((await api(server, `/${row?.id}`)).status).toBe(401);
    expect((await api(server, `/${row?.id}`, agent.cookie)).status).toBe(403);
    expect((await api(server, "/00000000-0000-7000-8000-000000000000", manager.cookie)).status).toBe(404);
    expect((await api(server, "/not-a-uuid", manager.cookie)).status).toBe(400);
    expect((await api(server, `/${row?.id}/chunks/99999`, manager.cookie)).status).toBe(404);
    expect((await api(server, `/${row?.id}/chunks/x`, manager.cookie)).status).toBe(400);
  });

  it("reports a corrupt chunk as damaged rather than failing", async () => {
    const [row] = await server.database.db.select().from(recordings);
    if (!row) throw new Error("no recording");
    await server.database.db
      .update(recordingChunks)
      .set({ data: new Uint8Array([1, 2, 3]) })
      .where(eq(recordingChunks.recordingId, row.id));
    const detail = await api<RecordingDetail>(server, `/${row.id}`, manager.cookie);
    expect(detail.status).toBe(200);
    expect(detail.body?.chunks.every((c) => c.damaged === true)).toBe(true);
    expect((await api(server, `/${row.id}/chunks/0`, manager.cookie)).status).toBe(422);
  });
});
