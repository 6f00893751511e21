import { uuidv7 } from "uuidv7";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordingDetail } from "../../schema/recording";
import { nth } from "../support/items";
import { startTestServer, type TestServer } from "../support/server";
import { guestToken, joinShowroom, type Visitor } from "../support/visitor";
import { waitFor } from "../support/wait";
import { customerAsksForHelp, goOnline, joinAsCustomer, type StaffConsole, staffConsole } from "./support-fixtures";

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

/** Waits until the visitor's join is written to the CRM, so the room has seen them. */
function visitInCrm(server: TestServer, visitor: Visitor) {
  return waitFor(
    () =>
      query(server, "SELECT id FROM interactions WHERE customer_id = $1 AND type = 'session_joined'", [
        visitor.guest.customerId,
      ]),
    (rows) => rows.length === 1,
    10_000,
    "the visit in the CRM",
  );
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
    await visitInCrm(server, visitor);
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
    await visitInCrm(server, visitor);
    expect(await server.stop()).toBe(0);
    expect(await query(server, "SELECT id FROM recordings")).toEqual([]);
    expect(await query(server, "SELECT recording_id FROM recording_chunks")).toEqual([]);
  });
});

describe("an agent's view of a recording", () => {
  let server: TestServer;
  const visitors: Visitor[] = [];
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await Promise.all(visitors.map((v) => v.leave()));
    await server?.close();
  });

  const detailFor = async (staff: StaffConsole, id: string) => {
    const response = await fetch(`${server.baseUrl}/api/recordings/${id}`, { headers: { cookie: staff.cookie } });
    return { status: response.status, body: (await response.json()) as RecordingDetail };
  };
  const said = (visitor: Visitor, text: string) =>
    visitor.until(
      () => visitor.received.some((m) => m.type === "support:say:ack"),
      10_000,
      `the line "${text}" acknowledged`,
    );

  it("is clipped to the ticket they handled and shows only their customers' events and lines; a manager sees all", async () => {
    const ari = await staffConsole(server, "agent", "Ari");
    const bea = await staffConsole(server, "agent", "Bea");
    const manager = await staffConsole(server, "manager", "Mona");
    await Promise.all([goOnline(ari), goOnline(bea)]);
    const ann = await joinAsCustomer(server, "Ann");
    const bo = await joinAsCustomer(server, "Bo");
    visitors.push(ann, bo);

    bo.room.send("chat", { text: "Bo before any ticket", clientMessageId: "bo-0" });
    const annTicket = (await customerAsksForHelp(ann, "Ann needs a hand")).ticketId;
    expect((await ari.call("POST", `/tickets/${annTicket}/accept`)).status).toBe(200);
    const boTicket = (await customerAsksForHelp(bo, "Bo needs a hand")).ticketId;
    expect((await bea.call("POST", `/tickets/${boTicket}/accept`)).status).toBe(200);
    ann.room.send("chat", { text: "Ann in the room", clientMessageId: "ann-1" });
    bo.room.send("chat", { text: "Bo in the room", clientMessageId: "bo-1" });
    ann.room.send("support:say", { text: "Ann to her agent", clientMessageId: "ann-2" });
    await said(ann, "Ann to her agent");
    bo.room.send("support:say", { text: "Bo to his agent", clientMessageId: "bo-2" });
    await said(bo, "Bo to his agent");
    const events = await waitFor(
      () =>
        query<{ customer_id: string; type: string }>(
          server,
          "SELECT customer_id, type FROM interactions WHERE type IN ('chat', 'support_message') ORDER BY occurred_at",
        ),
      (rows) => rows.length === 5,
      10_000,
      "the chats and support lines in the CRM",
    );
    expect(events.map((e) => e.type)).toEqual(["chat", "chat", "chat", "support_message", "support_message"]);

    // The recording names its visitors as its chunks are written (one at least every 5 s).
    const [recording] = await waitFor(
      () =>
        query<{ id: string; started_at: Date; visitors: { name: string }[] }>(
          server,
          "SELECT id, started_at, visitors FROM recordings WHERE room_id <> 'test-room'",
        ),
      (rows) => rows.length === 1 && rows[0]?.visitors.length === 2,
      15_000,
      "the recording naming Ann and Bo",
    );
    if (!recording) throw new Error("no recording of the room");
    const [ticket] = await query<{ created_at: Date }>(server, "SELECT created_at FROM support_tickets WHERE id = $1", [
      annTicket,
    ]);
    if (!ticket) throw new Error("no ticket");
    const ticketFromMs = ticket.created_at.getTime() - recording.started_at.getTime();

    const agentView = await detailFor(ari, recording.id);
    expect(agentView.status).toBe(200);
    const [opening] = await query<{ from_ms: number; to_ms: number }>(
      server,
      "SELECT from_ms, to_ms FROM recording_openings WHERE recording_id = $1 AND staff_id = $2",
      [recording.id, ari.id],
    );
    // The ticket is still open: its span runs from its creation to now.
    expect(opening?.from_ms).toBeCloseTo(ticketFromMs, 0);
    expect(opening?.to_ms).toBeGreaterThan(ticketFromMs);
    expect(agentView.body.markers.length).toBeGreaterThan(0);
    for (const marker of agentView.body.markers) {
      expect(marker.customerId).toBe(ann.guest.customerId);
      expect(marker.atMs).toBeGreaterThanOrEqual(Math.floor(ticketFromMs));
    }
    expect(agentView.body.markers.map((m) => m.type)).toEqual(
      expect.arrayContaining(["support_requested", "support_accepted", "chat", "support_message"]),
    );
    expect(agentView.body.transcript.map((l) => [l.kind, l.from, l.text])).toEqual([
      ["chat", "Ann", "Ann in the room"],
      ["support", "Ann", "Ann to her agent"],
    ]);

    const managerView = await detailFor(manager, recording.id);
    expect(managerView.status).toBe(200);
    expect(managerView.body.transcript.map((l) => [l.kind, l.from, l.text])).toEqual([
      ["chat", "Bo", "Bo before any ticket"],
      ["chat", "Ann", "Ann in the room"],
      ["chat", "Bo", "Bo in the room"],
      ["support", "Ann", "Ann to her agent"],
      ["support", "Bo", "Bo to his agent"],
    ]);
    const bosMarkers = managerView.body.markers.filter((m) => m.customerId === bo.guest.customerId);
    expect(bosMarkers.map((m) => m.type)).toEqual(
      expect.arrayContaining(["session_joined", "chat", "support_requested", "support_accepted", "support_message"]),
    );
  });
});
