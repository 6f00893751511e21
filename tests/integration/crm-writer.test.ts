import { mkdtempSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { eq } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readCatalogFile, seedShowroom } from "../../db/catalog";
import { createDatabase, type Database, type DatabaseHandle } from "../../db/client";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../../db/embedded";
import { runMigrations } from "../../db/migrate";
import { customers, showrooms, visits } from "../../db/schema";
import { interaction, type VisitContext } from "../../server/crm/interactions";
import { CrmWriter } from "../../server/crm/writer";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../support/db";
import { nth } from "../support/items";
import { waitFor } from "../support/wait";

const FLUSH_INTERVAL_MS = 50;

/** A customer on a visit to the demo showroom, as the room creates them when someone joins. */
async function startVisit(db: Database): Promise<VisitContext> {
  const showroom = nth(
    await db.select({ id: showrooms.id }).from(showrooms).where(eq(showrooms.slug, readCatalogFile().showroom.slug)),
    0,
    "the demo showroom",
  );
  const customerId = uuidv7();
  const visitId = uuidv7();
  await db.insert(customers).values({ id: customerId, visitorId: `visitor-${customerId}` });
  await db
    .insert(visits)
    .values({ id: visitId, customerId, showroomId: showroom.id, roomId: "crm-writer-test", startedAt: new Date() });
  return { customerId, showroomId: showroom.id, visitId };
}

function dwell(visit: VisitContext, sku: string, seconds: number) {
  return interaction(visit, "product_dwell", { seconds }, { productSku: sku });
}

async function interactionIds(handle: DatabaseHandle, visit: VisitContext): Promise<string[]> {
  const { rows } = await handle.pool.query<{ id: string }>(
    "SELECT id FROM interactions WHERE visit_id = $1 ORDER BY id",
    [visit.visitId],
  );
  return rows.map((r) => r.id);
}

async function visitEndedAt(handle: DatabaseHandle, visit: VisitContext): Promise<Date | null> {
  const { rows } = await handle.pool.query<{ ended_at: Date | null }>("SELECT ended_at FROM visits WHERE id = $1", [
    visit.visitId,
  ]);
  return nth(rows, 0, "the visit").ended_at;
}

describe.each(databaseKinds())("the CRM writer on %s Postgres", (kind) => {
  let database: TestDatabase;
  const writers: CrmWriter[] = [];
  const newWriter = (options: ConstructorParameters<typeof CrmWriter>[1] = {}) => {
    const writer = new CrmWriter(database.db, { flushIntervalMs: FLUSH_INTERVAL_MS, log: () => {}, ...options });
    writers.push(writer);
    return writer;
  };

  beforeAll(async () => {
    database = await createTestDatabase({ kind });
  });
  afterEach(async () => {
    await Promise.all(writers.splice(0).map((w) => w.close()));
  });
  afterAll(async () => {
    await database?.close();
  });

  it("sets aside a row the database refuses (logged in full) and writes the rest of its batch and the visit's end", async () => {
    const lines: string[] = [];
    const writer = newWriter({ log: (line) => lines.push(line) });
    const visit = await startVisit(database.db);
    const good = [dwell(visit, "VASE-KOI", 3), dwell(visit, "SOFA-OSLO-3", 4)] as const;
    // Half a surrogate pair: valid in a JS string, refused by Postgres in jsonb.
    const bad = interaction(visit, "session_joined", { name: "Eve \ud800" });
    writer.record(good[0]);
    writer.record(bad);
    writer.record(good[1]);
    writer.endVisit(visit.visitId);
    await waitFor(
      () => visitEndedAt(database, visit),
      (ended) => ended !== null,
      5000,
    );
    expect(await interactionIds(database, visit)).toEqual(good.map((r) => r.id).sort());
    expect(writer.stats).toMatchObject({ written: 2, refused: 1 });
    expect(lines.some((line) => line.includes(`refused interaction ${bad.id}`) && line.includes("set aside"))).toBe(
      true,
    );
  });

  it("puts telemetry of a visit in the CRM within a few flush intervals", async () => {
    const visit = await startVisit(database.db);
    const writer = newWriter();
    const rows = [
      dwell(visit, "VASE-KOI", 4),
      dwell(visit, "SOFA-OSLO-3", 12),
      interaction(visit, "session_joined", { name: "Ana" }),
    ];
    for (const row of rows) writer.record(row);
    expect(writer.pending).toBe(3);

    const started = performance.now();
    await waitFor(
      () => interactionIds(database, visit),
      (ids) => ids.length === 3,
      2000,
    );
    // The timer flushes on its own; generous for a cold database, but far below any human wait.
    expect(performance.now() - started).toBeLessThan(20 * FLUSH_INTERVAL_MS);
    expect(writer.pending).toBe(0);
    expect(writer.stats.written).toBe(3);

    const { rows: stored } = await database.pool.query(
      "SELECT type, product_sku, payload, customer_id, showroom_id FROM interactions WHERE visit_id = $1 ORDER BY id",
      [visit.visitId],
    );
    expect(stored).toEqual([
      {
        type: "product_dwell",
        product_sku: "VASE-KOI",
        payload: { seconds: 4 },
        customer_id: visit.customerId,
        showroom_id: visit.showroomId,
      },
      {
        type: "product_dwell",
        product_sku: "SOFA-OSLO-3",
        payload: { seconds: 12 },
        customer_id: visit.customerId,
        showroom_id: visit.showroomId,
      },
      {
        type: "session_joined",
        product_sku: null,
        payload: { name: "Ana" },
        customer_id: visit.customerId,
        showroom_id: visit.showroomId,
      },
    ]);
  });

  it("never writes a row twice, however often it is flushed or recorded again", async () => {
    const visit = await startVisit(database.db);
    const writer = newWriter({ flushIntervalMs: 60_000, batchSize: 4 });
    const rows = Array.from({ length: 10 }, (_, i) => dwell(visit, "VASE-KOI", i));
    for (const row of rows) writer.record(row);
    // Two flushes at once share one; a third finds nothing to do.
    await Promise.all([writer.flush(), writer.flush()]);
    await writer.flush();
    expect(await interactionIds(database, visit)).toEqual(rows.map((r) => r.id).sort());

    // A retried batch, the same row twice in one batch, and a business event already queued as telemetry.
    const [first, , , fourth] = rows;
    const last = rows.at(-1);
    if (!first || !fourth || !last) throw new Error("ten rows");
    for (const row of [...rows.slice(2, 7), first, first]) writer.record({ ...row });
    await writer.flush();
    await writer.commit([last, fourth]);
    expect(writer.pending).toBe(0);
    expect(await interactionIds(database, visit)).toEqual(rows.map((r) => r.id).sort());
  });

  it("commits a business event so it can be read the moment commit() resolves", async () => {
    const visit = await startVisit(database.db);
    const writer = newWriter({ flushIntervalMs: 60_000 });
    const chat = interaction(visit, "chat", { text: "Do you ship to Lyon?", clientMessageId: "m1" });
    await writer.commit([chat]);
    // Read on another connection of the pool, without waiting for anything.
    const { rows } = await database.pool.query("SELECT payload FROM interactions WHERE id = $1", [chat.id]);
    expect(rows).toEqual([{ payload: { text: "Do you ship to Lyon?", clientMessageId: "m1" } }]);
    expect(writer.pending).toBe(0);
  });

  it("ends a visit once, at the first time it was ended", async () => {
    const visit = await startVisit(database.db);
    const writer = newWriter();
    expect(await visitEndedAt(database, visit)).toBeNull();

    const leftAt = new Date("2025-03-01T10:15:30.000Z");
    writer.record(interaction(visit, "session_left", {}));
    writer.endVisit(visit.visitId, leftAt);
    expect(writer.pending).toBe(2);
    await waitFor(
      () => visitEndedAt(database, visit),
      (endedAt) => endedAt !== null,
      2000,
    );
    expect((await visitEndedAt(database, visit))?.toISOString()).toBe(leftAt.toISOString());
    expect(await interactionIds(database, visit)).toHaveLength(1);

    // A second leave (a reconnect that timed out, say) does not move the end.
    writer.endVisit(visit.visitId, new Date("2025-03-01T11:00:00.000Z"));
    await writer.flush();
    expect((await visitEndedAt(database, visit))?.toISOString()).toBe(leftAt.toISOString());
  });

  it("writes everything still queued when it is closed", async () => {
    const visit = await startVisit(database.db);
    // The timer would never fire in this test: only close() can write these.
    const writer = new CrmWriter(database.db, { flushIntervalMs: 60_000, batchSize: 7, log: () => {} });
    const rows = Array.from({ length: 25 }, (_, i) => dwell(visit, "SOFA-OSLO-3", i));
    for (const row of rows) writer.record(row);
    writer.endVisit(visit.visitId, new Date("2025-03-01T10:00:00.000Z"));
    await writer.close();
    expect(writer.pending).toBe(0);
    expect(await interactionIds(database, visit)).toEqual(rows.map((r) => r.id).sort());
    expect(await visitEndedAt(database, visit)).not.toBeNull();
    expect(() => writer.record(dwell(visit, "SOFA-OSLO-3", 99))).toThrow("the CRM writer is closed");
  });
});

/**
 * A real outage: the embedded Postgres is stopped and started again on the same data folder.
 * Each start serves a new Unix socket in a new temporary folder, so the URL changes. The writer
 * connects through a symlink in a folder of our own that we point at whichever server is up:
 * while it is down the link dangles and every connection fails, as with a server that is gone.
 * The writer's pool, drizzle instance and queue stay the same through it all.
 */
describe("the CRM writer through a database outage", () => {
  let dataDir: string;
  let linkDir: string;
  let server: EmbeddedPostgres | undefined;
  let handle: DatabaseHandle;
  let writer: CrmWriter | undefined;
  const logs: string[] = [];
  const socketLink = () => join(linkDir, ".s.PGSQL.5432");

  async function startServer(): Promise<void> {
    server = await startEmbeddedPostgres(dataDir);
    const socketDir = new URL(server.url).searchParams.get("host");
    rmSync(socketLink(), { force: true });
    symlinkSync(join(socketDir!, ".s.PGSQL.5432"), socketLink());
  }

  async function stopServer(): Promise<void> {
    await server?.stop();
    server = undefined;
    unlinkSync(socketLink());
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "atrium-crm-outage-"));
    linkDir = mkdtempSync(join(tmpdir(), "atrium-link-"));
    await startServer();
    handle = createDatabase(`postgresql://postgres@localhost/postgres?host=${encodeURIComponent(linkDir)}&port=5432`);
    await runMigrations(handle.pool);
    await seedShowroom(handle.db, readCatalogFile());
  });

  beforeEach(async () => {
    if (!server) await startServer();
  });

  afterAll(async () => {
    await writer?.close(1000);
    await handle?.close();
    if (server) await server.stop();
    rmSync(linkDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps the simulation running, loses nothing it has room for and writes it all exactly once after", async () => {
    const visit = await startVisit(handle.db);
    const maxBuffered = 40;
    writer = new CrmWriter(handle.db, {
      flushIntervalMs: FLUSH_INTERVAL_MS,
      maxBuffered,
      log: (line) => logs.push(line),
    });
    const before = dwell(visit, "VASE-KOI", 1);
    await writer.commit([before]);

    await stopServer();

    const rows = Array.from({ length: 60 }, (_, i) => dwell(visit, "LAMP-HALO", i));
    const started = performance.now();
    for (const row of rows) writer.record(row);
    writer.endVisit(visit.visitId, new Date("2025-03-01T12:00:00.000Z"));
    // record() is a push onto a queue: 61 of them take far less than one 33 ms simulation tick,
    // where a single attempt to reach the database would take a round trip or a timeout.
    expect(performance.now() - started).toBeLessThan(10);

    // Past maxBuffered the oldest telemetry goes first, and is counted.
    expect(writer.stats.dropped).toBe(rows.length - maxBuffered);
    expect(writer.pending).toBe(maxBuffered + 1);
    expect(logs.filter((line) => line.includes("dropped the oldest telemetry"))).toHaveLength(1);

    // A business event cannot be acknowledged while the database is away.
    await expect(writer.commit([interaction(visit, "chat", { text: "hello?" })])).rejects.toThrow();

    const failing = writer;
    await waitFor(
      async () => failing.stats.failedFlushes,
      (failed) => failed >= 2,
      5000,
    );
    expect(writer.pending).toBe(maxBuffered + 1);
    expect(logs.some((line) => line.startsWith(`[crm] could not write ${maxBuffered + 1} queued rows`))).toBe(true);

    // A little more telemetry while still down, then the database comes back on the same data.
    const late = dwell(visit, "VASE-KOI", 2);
    const failedBefore = failing.stats.failedFlushes;
    writer.record(late);
    await waitFor(
      () => failing.stats.failedFlushes,
      (failed) => failed > failedBefore,
      5000,
      "a flush holding the late row to fail",
    );
    await startServer();

    await waitFor(
      async () => failing.pending,
      (pending) => pending === 0,
      15_000,
    );
    const kept = rows.slice(rows.length - maxBuffered + 1);
    expect(writer.stats.dropped).toBe(rows.length - maxBuffered + 1);
    expect(await interactionIds(handle, visit)).toEqual([before, ...kept, late].map((r) => r.id).sort());
    expect((await visitEndedAt(handle, visit))?.toISOString()).toBe("2025-03-01T12:00:00.000Z");
    expect(logs.at(-1)).toBe("[crm] database reachable again; caught up");
  });

  it("writes what it still holds on close, right after the database came back", async () => {
    const visit = await startVisit(handle.db);
    const closing = new CrmWriter(handle.db, { flushIntervalMs: FLUSH_INTERVAL_MS, log: () => {} });
    await stopServer();
    const rows = Array.from({ length: 5 }, (_, i) => dwell(visit, "SOFA-OSLO-3", i));
    for (const row of rows) closing.record(row);
    await waitFor(
      async () => closing.stats.failedFlushes,
      (failed) => failed >= 3,
      5000,
    );
    await startServer();
    // The writer is backing off; close() must not wait for the next retry, nor give up.
    await closing.close();
    expect(closing.pending).toBe(0);
    expect(await interactionIds(handle, visit)).toEqual(rows.map((r) => r.id).sort());
  });
});
