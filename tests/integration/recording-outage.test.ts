import { mkdtempSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { asc, eq } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCatalogFile, seedShowroom } from "../../db/catalog";
import { createDatabase, type DatabaseHandle } from "../../db/client";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../../db/embedded";
import { runMigrations } from "../../db/migrate";
import { recordingChunks, recordings, showrooms } from "../../db/schema";
import type { RecordingStoreCounters } from "../../server/recording/store";
import { RecordingStore } from "../../server/recording/store";
import type { SealedChunk } from "../../server/room/recorder";
import { nth } from "../support/items";
import { startTestServer, type TestServer } from "../support/server";
import { joinShowroom, type Visitor, walkTo } from "../support/visitor";
import { waitFor } from "../support/wait";

const METRICS_TOKEN = "recording-outage-metrics-token-0123456789";

/**
 * A real outage under a running server: the embedded Postgres is stopped and started again on the
 * same data folder, and the server reaches it through a symlink to its socket that dangles while
 * it is down (as tests/integration/crm-writer.test.ts does for the CRM writer).
 */
describe("a recording through a database outage", () => {
  let dataDir: string;
  let linkDir: string;
  let postgres: EmbeddedPostgres | undefined;
  let handle: DatabaseHandle;
  let server: TestServer;
  const visitors: Visitor[] = [];
  const socketLink = () => join(linkDir, ".s.PGSQL.5432");

  async function startPostgres(): Promise<void> {
    postgres = await startEmbeddedPostgres(dataDir);
    const socketDir = new URL(postgres.url).searchParams.get("host");
    rmSync(socketLink(), { force: true });
    symlinkSync(join(socketDir ?? "", ".s.PGSQL.5432"), socketLink());
  }

  async function stopPostgres(): Promise<void> {
    await postgres?.stop();
    postgres = undefined;
    unlinkSync(socketLink());
  }

  /** The store's figures, read with the operators' token (no database needed to answer). */
  async function counters(): Promise<RecordingStoreCounters> {
    const response = await fetch(`${server.baseUrl}/api/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { recordings: RecordingStoreCounters | null };
    if (!body.recordings) throw new Error("no recording figures in /api/metrics");
    return body.recordings;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "atrium-recording-outage-"));
    linkDir = mkdtempSync(join(tmpdir(), "atrium-link-"));
    await startPostgres();
    const url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(linkDir)}&port=5432`;
    handle = createDatabase(url);
    await runMigrations(handle.pool);
    await seedShowroom(handle.db, readCatalogFile());
    server = await startTestServer({ env: { DATABASE_URL: url, ATRIUM_METRICS_TOKEN: METRICS_TOKEN } });
  });

  afterAll(async () => {
    await Promise.all(visitors.map((v) => v.leave().catch(() => undefined)));
    if (!postgres) await startPostgres();
    await server?.close();
    await handle?.close();
    await postgres?.stop();
    rmSync(linkDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps the room's patches coming while the database is down and writes every chunk once it is back", async () => {
    const watcher = await joinShowroom(server.baseUrl, { name: "Watcher" });
    const walker = await joinShowroom(server.baseUrl, { name: "Walker" });
    visitors.push(watcher, walker);
    // When the watcher's client took each patch that moved the walker.
    const patchTimes: number[] = [];
    watcher.room.onStateChange(() => {
      if (watcher.room.state.avatars.get(walker.sessionId)) patchTimes.push(performance.now());
    });
    await walker.until(() => walker.headOf(walker.sessionId) !== undefined, 5000, "the walker's avatar");
    let walking = true;
    const walk = (async () => {
      for (let leg = 0; walking; leg++) await walkTo(walker, leg % 2 === 0 ? 1.5 : -1.5, 1);
    })();

    await waitFor(
      () => handle.db.select().from(recordingChunks),
      (rows) => rows.length >= 1,
      15_000,
      "a chunk written before the outage",
    );
    const before = await counters();
    await stopPostgres();
    const downAt = performance.now();
    const downAtWall = Date.now();
    // Two chunks sealed (and at least one write failed) while the database is away.
    const during = await waitFor(
      counters,
      (c) => c.chunksQueued >= 2 && c.failedWrites > before.failedWrites,
      30_000,
      "chunks waiting for the database",
    );
    expect(during.bytesWaiting).toBeGreaterThan(0);
    const upAtWall = Date.now();
    const upAt = performance.now();
    await startPostgres();

    const after = await waitFor(
      counters,
      (c) => c.chunksQueued === 0 && c.bytesWaiting === 0,
      30_000,
      "the waiting chunks written",
    );
    expect(after.chunksWritten).toBeGreaterThanOrEqual(before.chunksWritten + during.chunksQueued);
    expect(after.chunksDropped).toBe(0);
    expect(after.chunksFailed).toBe(0);
    walking = false;
    await walk;

    // The room kept its cadence: patches reached the client all through the outage.
    const outagePatches = patchTimes.filter((t) => t >= downAt && t <= upAt);
    const times = [downAt, ...outagePatches, upAt];
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
    expect(outagePatches.length).toBeGreaterThan(10);
    expect(Math.max(...gaps), "the longest wait for a patch while the database was down (ms)").toBeLessThanOrEqual(
      1000,
    );

    // Stopping the server closes the room: its last chunk and its end are written.
    expect(await server.stop()).toBe(0);
    visitors.length = 0;
    const [recording] = await handle.db.select().from(recordings);
    if (!recording?.endedAt) throw new Error("the recording has no end");
    const chunks = await handle.db
      .select({ seq: recordingChunks.seq, startMs: recordingChunks.startMs, endMs: recordingChunks.endMs })
      .from(recordingChunks)
      .where(eq(recordingChunks.recordingId, recording.id))
      .orderBy(asc(recordingChunks.seq));
    // Contiguous: seq 0, 1, 2, … and each chunk starts where the one before it ended.
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    for (const [i, chunk] of chunks.entries()) {
      if (i > 0) expect(chunk.startMs, `chunk ${i} starts where ${i - 1} ended`).toBe(chunks[i - 1]?.endMs);
      expect(chunk.endMs).toBeGreaterThanOrEqual(chunk.startMs);
    }
    // Covering the whole span, the outage included.
    expect(nth(chunks, 0, "the first chunk").startMs).toBeLessThan(1000);
    expect(chunks.at(-1)?.endMs).toBe(recording.durationMs);
    const downMs = downAtWall - recording.startedAt.getTime();
    const upMs = upAtWall - recording.startedAt.getTime();
    expect(chunks.some((c) => c.startMs >= downMs - 100 && c.endMs <= upMs + 100)).toBe(true);
    expect(server.output()).toContain("[recording] the database is back");
  });
});

describe("the recording store, given writes the database refuses for good", () => {
  let postgres: EmbeddedPostgres;
  let dataDir: string;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "atrium-recording-store-"));
    postgres = await startEmbeddedPostgres(dataDir);
    handle = createDatabase(postgres.url);
    await runMigrations(handle.pool);
    await seedShowroom(handle.db, readCatalogFile());
  });
  afterAll(async () => {
    await handle?.close();
    await postgres?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const chunk = (seq: number): SealedChunk => ({
    seq,
    startMs: seq * 5000,
    endMs: (seq + 1) * 5000,
    // One empty keyframe: a well-formed chunk.
    frames: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0]),
    visitors: [],
    agents: [],
  });

  it("sets aside a chunk of a deleted recording (counted, logged) and goes on writing the others", async () => {
    const lines: string[] = [];
    const store = new RecordingStore(handle.db, { log: (line) => lines.push(line), maxBackoffMs: 200 });
    const [showroom] = await handle.db.select({ id: showrooms.id }).from(showrooms);
    if (!showroom) throw new Error("no showroom");
    const opening = (id: string) => ({
      id,
      showroomId: showroom.id,
      roomId: "r",
      startedAt: new Date(),
      reflection: "",
    });
    const gone = uuidv7();
    const kept = uuidv7();
    store.open(opening(gone));
    store.chunk(gone, chunk(0));
    await waitFor(
      () => store.counters(),
      (c) => c.chunksWritten === 1,
      5000,
      "the first chunk written",
    );
    // As the retention sweep would: the recording (and its chunks) deleted while its room still records.
    await handle.db.delete(recordings).where(eq(recordings.id, gone));
    store.chunk(gone, chunk(1));
    store.open(opening(kept));
    store.chunk(kept, chunk(0));
    store.end(kept, new Date(), 5000);
    await store.close(5000);

    expect(store.counters()).toMatchObject({ chunksWritten: 2, chunksFailed: 1, chunksQueued: 0, bytesWaiting: 0 });
    const written = await handle.db
      .select({ recordingId: recordingChunks.recordingId, seq: recordingChunks.seq })
      .from(recordingChunks);
    expect(written).toEqual([{ recordingId: kept, seq: 0 }]);
    const [row] = await handle.db.select().from(recordings).where(eq(recordings.id, kept));
    expect(row?.endedAt).toBeInstanceOf(Date);
    expect(lines.filter((line) => line.includes("set aside"))).toEqual([
      expect.stringContaining(`the database refused chunk 1 of ${gone}`),
    ]);
  });
});
