import { uuidv7 } from "uuidv7";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nth } from "../support/items";
import { startTestServer, type TestServer } from "../support/server";
import { guestToken, joinShowroom } from "../support/visitor";
import { waitFor } from "../support/wait";
import { type StaffConsole, staffConsole } from "./support-fixtures";

async function query<T>(server: TestServer, text: string, values: unknown[] = []): Promise<T[]> {
  return (await server.database.pool.query(text, values)).rows as T[];
}

async function showroomId(server: TestServer): Promise<string> {
  const rows = await query<{ id: string }>(server, "SELECT id FROM showrooms WHERE slug = 'home-living'");
  return nth(rows, 0, "the showroom").id;
}

/** A recording made `daysAgo`, ended unless `open`, with one chunk. */
async function insertRecording(
  server: TestServer,
  options: { daysAgo: number; open?: boolean; visitors?: { customerId: string; name: string }[] },
): Promise<string> {
  const id = uuidv7();
  await server.database.pool.query(
    `INSERT INTO recordings (id, showroom_id, room_id, started_at, ended_at, duration_ms, format_version, reflection, visitors)
     VALUES ($1, $2, 'test-room', now() - $3::float8 * interval '1 day',
             CASE WHEN $4 THEN NULL ELSE now() - $3::float8 * interval '1 day' + interval '10 minutes' END,
             5000, 1, '', $5::jsonb)`,
    [id, await showroomId(server), options.daysAgo, options.open ?? false, JSON.stringify(options.visitors ?? [])],
  );
  await server.database.pool.query(
    `INSERT INTO recording_chunks (recording_id, seq, start_ms, end_ms, data, checksum) VALUES ($1, 0, 0, 5000, '\\x00', 'x')`,
    [id],
  );
  return id;
}

describe("recordings: audit of openings and retention", () => {
  let server: TestServer;
  let manager: StaffConsole;

  beforeAll(async () => {
    server = await startTestServer({
      env: { ATRIUM_RECORDING_RETENTION_DAYS: "30", ATRIUM_RETENTION_SWEEP_SECONDS: "1" },
    });
    manager = await staffConsole(server, "manager", "Mona");
  });
  afterAll(async () => {
    await server?.close();
  });

  const open = (id: string, query = "") =>
    fetch(`${server.baseUrl}/api/recordings/${id}${query}`, { headers: { cookie: manager.cookie } });

  it("writes one audit line per opening, with the recording id, not one per live poll", async () => {
    const guest = await guestToken(server.baseUrl);
    const watched = await insertRecording(server, {
      daysAgo: 0,
      visitors: [{ customerId: guest.customerId, name: "Quinn" }],
    });
    expect((await open(watched)).status).toBe(200);
    // The player following a live recording, and the same manager opening it again soon after.
    expect((await open(watched, "?follow=1")).status).toBe(200);
    expect((await open(watched, "?follow=1")).status).toBe(200);
    expect((await open(watched)).status).toBe(200);

    const openings = await query(
      server,
      "SELECT staff_id, recording_id, from_ms, visitors FROM recording_openings WHERE recording_id = $1",
      [watched],
    );
    expect(openings).toEqual([{ staff_id: manager.id, recording_id: watched, from_ms: 0, visitors: 1 }]);
    const lines = await query(
      server,
      "SELECT staff_id, customer_id, action FROM staff_access_log WHERE customer_id = $1",
      [guest.customerId],
    );
    expect(lines).toEqual([{ staff_id: manager.id, customer_id: guest.customerId, action: "recording" }]);
  });

  it("audits the opening of a recording nobody visited", async () => {
    const empty = await insertRecording(server, { daysAgo: 0 });
    expect((await open(empty)).status).toBe(200);
    const openings = await query(server, "SELECT staff_id, visitors FROM recording_openings WHERE recording_id = $1", [
      empty,
    ]);
    expect(openings).toEqual([{ staff_id: manager.id, visitors: 0 }]);
  });

  it("the retention sweep deletes old recordings with their chunks and keeps recent ones and rooms still open", async () => {
    const old = await insertRecording(server, { daysAgo: 40 });
    const recent = await insertRecording(server, { daysAgo: 1 });
    const stillOpen = await insertRecording(server, { daysAgo: 30.5, open: true });
    const abandoned = await insertRecording(server, { daysAgo: 32, open: true });
    const ours = [old, recent, stillOpen, abandoned];
    const left = await waitFor(
      () => query<{ id: string }>(server, "SELECT id FROM recordings WHERE id = ANY($1) ORDER BY id", [ours]),
      (rows) => rows.length === 2,
      10_000,
      "the expired recordings to go",
    );
    expect(left.map((r) => r.id)).toEqual([recent, stillOpen]);
    const chunks = await query<{ recording_id: string }>(
      server,
      "SELECT recording_id FROM recording_chunks WHERE recording_id = ANY($1) ORDER BY recording_id",
      [ours],
    );
    expect(chunks.map((c) => c.recording_id)).toEqual([recent, stillOpen]);
  });

  it("records nothing of a showroom whose recording is switched off", async () => {
    await query(server, "UPDATE showrooms SET recording_enabled = false WHERE slug = 'home-living'");
    const before = await query(server, "SELECT id FROM recordings WHERE room_id <> 'test-room'");
    const visitor = await joinShowroom(server.baseUrl, { name: "Unrecorded" });
    await waitFor(
      () =>
        query(server, "SELECT id FROM interactions WHERE customer_id = $1 AND type = 'session_joined'", [
          visitor.guest.customerId,
        ]),
      (rows) => rows.length === 1,
      10_000,
      "the visit in the CRM",
    );
    // Stopping closes the room: a recording, had there been one, would have its end and last chunk written.
    expect(await server.stop()).toBe(0);
    expect(await query(server, "SELECT id FROM recordings WHERE room_id <> 'test-room'")).toEqual(before);
    await query(server, "UPDATE showrooms SET recording_enabled = true WHERE slug = 'home-living'");
  });
});

describe("a server started with ATRIUM_RECORDING=off", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { ATRIUM_RECORDING: "off" } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("records no room", async () => {
    const visitor = await joinShowroom(server.baseUrl, { name: "Unrecorded" });
    await waitFor(
      () =>
        query(server, "SELECT id FROM interactions WHERE customer_id = $1 AND type = 'session_joined'", [
          visitor.guest.customerId,
        ]),
      (rows) => rows.length === 1,
      10_000,
      "the visit in the CRM",
    );
    expect(await server.stop()).toBe(0);
    expect(await query(server, "SELECT id FROM recordings")).toEqual([]);
    expect(await query(server, "SELECT recording_id FROM recording_chunks")).toEqual([]);
  });
});
