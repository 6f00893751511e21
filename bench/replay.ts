import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Encoder, Reflection } from "@colyseus/schema";
import { and, eq } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { Role } from "../ecs";
import { loadCatalog, readCatalogFile, seedShowroom } from "../db/catalog";
import { createDatabase } from "../db/client";
import { startEmbeddedPostgres } from "../db/embedded";
import { runMigrations } from "../db/migrate";
import { recordingChunks } from "../db/schema";
import { PATCH_INTERVAL_MS } from "../schema/state";
import { CHUNK_MS, readFrames, unpackChunk } from "../server/recording/format";
import { RecordingStore } from "../server/recording/store";
import { type ChunkSink, Recorder, type SealedChunk } from "../server/room/recorder";
import { Roster } from "../server/room/roster";
import { ShowroomSimulation } from "../server/room/simulation";
import { initialState, syncDirtyToState } from "../server/room/state-sync";
import { posesFor } from "./bots";
import { printTable } from "./table";

export interface ReplayBenchOptions {
  json: boolean;
  avatars: number;
  seconds: number;
  seeks: number;
}

interface ReplayRow {
  avatars: number;
  recordedSeconds: number;
  bytesPerAvatarHour: number;
  rawBytesPerAvatarHour: number;
  /** Every tick's recorder time, keyframe ticks included. */
  recorderMsP50: number;
  recorderMsP99: number;
  /** The tick that seals a chunk and encodes the next one's keyframe, once per CHUNK_MS. */
  keyframeTickMsP50: number;
  seekMsP50: number;
  seekMsP99: number;
  decodeSpeedX: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
};

/**
 * `npm run bench -- replay [--json] [--seconds 3600] [--avatars 200]`: records a room of moving
 * avatars faster than real time (the room's simulation, state sync and recorder, no sockets),
 * stores it in Postgres, then seeks into it from cold requests and decodes it whole.
 */
export async function runReplayBench(options: ReplayBenchOptions): Promise<void> {
  const external = process.env.BENCH_DATABASE_URL;
  const dataDir = external ? undefined : mkdtempSync(join(tmpdir(), "atrium-replay-bench-"));
  const embedded = dataDir ? await startEmbeddedPostgres(dataDir) : undefined;
  const url = external ?? embedded?.url;
  if (!url) throw new Error("no database");
  const database = createDatabase(url);
  try {
    await runMigrations(database.pool);
    const file = readCatalogFile();
    await seedShowroom(database.db, file);
    const catalog = await loadCatalog(database.db, file.showroom.slug);
    if (!catalog) throw new Error("the demo showroom is missing");
    const row = await record(database.db, catalog, options);
    if (options.json) console.log(JSON.stringify(row));
    else
      printTable(Object.keys(row), [
        Object.values(row).map((value) => (Number.isInteger(value) ? value : value.toFixed(3))),
      ]);
  } finally {
    await database.close();
    await embedded?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function record(
  db: ReturnType<typeof createDatabase>["db"],
  catalog: NonNullable<Awaited<ReturnType<typeof loadCatalog>>>,
  options: ReplayBenchOptions,
): Promise<ReplayRow> {
  if (Encoder.BUFFER_SIZE < 256 * 1024) Encoder.BUFFER_SIZE = 256 * 1024;
  const sim = new ShowroomSimulation(catalog, Math.max(options.avatars, catalog.showroom.capacity));
  const state = initialState(catalog.showroom.slug, catalog);
  const encoder = new Encoder(state);
  const roster = new Roster(sim, state);
  const reflection = Recorder.reflectionOf(encoder);
  const store = new RecordingStore(db, { log: (line) => console.error(line) });
  const id = uuidv7();
  store.open({ id, showroomId: catalog.showroom.id, roomId: "bench", startedAt: new Date(), reflection });
  let rawBytes = 0;
  const chunks: Array<{ seq: number; startMs: number; endMs: number }> = [];
  const sink: ChunkSink = {
    chunk(recordingId: string, chunk: SealedChunk) {
      rawBytes += chunk.frames.byteLength;
      chunks.push({ seq: chunk.seq, startMs: chunk.startMs, endMs: chunk.endMs });
      store.chunk(recordingId, chunk);
    },
    end: (recordingId, endedAt, durationMs) => store.end(recordingId, endedAt, durationMs),
  };
  let nowMs = 0;
  const recorder = new Recorder(id, encoder, sink, () => nowMs);
  const sessions = Array.from({ length: options.avatars }, (_, i) => `bot-${i}`);
  sessions.forEach((session, i) => {
    roster.add(session, Role.Customer, `Bot ${i}`);
    recorder.present({
      role: "customer",
      id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      name: `Bot ${i}`,
    });
  });
  const recorderMs: number[] = [];
  const keyframeMs: number[] = [];
  const ticks = Math.round((options.seconds * 1000) / PATCH_INTERVAL_MS);
  for (let tick = 0; tick < ticks; tick++) {
    nowMs = tick * PATCH_INTERVAL_MS;
    sessions.forEach((session, i) => sim.queuePose(session, posesFor(i, nowMs)));
    sim.advance(PATCH_INTERVAL_MS);
    sim.drain();
    syncDirtyToState(sim, state);
    const started = performance.now();
    recorder.patch();
    // Every tick counts in recorderMs, those that also encode a keyframe (the full state) among
    // them: they are the slowest, and a tick that seals a chunk is a tick the room waits for.
    const tookMs = performance.now() - started;
    recorderMs.push(tookMs);
    if (nowMs > 0 && nowMs % CHUNK_MS === 0) keyframeMs.push(tookMs);
    encoder.discardChanges();
    // The store compresses and writes while the room runs; a faster-than-real-time room yields to it.
    if (tick % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  recorder.close();
  await store.close(120_000);
  const avatarHours = (options.avatars * options.seconds) / 3600;
  const seekMs: number[] = [];
  const duration = ticks * PATCH_INTERVAL_MS;
  for (let i = 0; i < options.seeks; i++) {
    const at = Math.random() * duration;
    const started = performance.now();
    await seek(db, id, reflection, chunks, at);
    seekMs.push(performance.now() - started);
  }
  const decodeStarted = performance.now();
  for (const chunk of chunks) await seek(db, id, reflection, [chunk], chunk.endMs);
  const decodeSeconds = (performance.now() - decodeStarted) / 1000;
  return {
    avatars: options.avatars,
    recordedSeconds: duration / 1000,
    bytesPerAvatarHour: Math.round(store.stats.bytesWritten / avatarHours),
    rawBytesPerAvatarHour: Math.round(rawBytes / avatarHours),
    recorderMsP50: percentile(recorderMs, 50),
    recorderMsP99: percentile(recorderMs, 99),
    keyframeTickMsP50: percentile(keyframeMs, 50),
    seekMsP50: percentile(seekMs, 50),
    seekMsP99: percentile(seekMs, 99),
    decodeSpeedX: duration / 1000 / decodeSeconds,
  };
}

/** A cold seek: the chunk from the database, inflated, its keyframe and patches decoded up to `atMs`. */
async function seek(
  db: ReturnType<typeof createDatabase>["db"],
  id: string,
  reflection: string,
  chunks: Array<{ seq: number; startMs: number; endMs: number }>,
  atMs: number,
): Promise<void> {
  const chunk = chunks.find((c) => c.endMs >= atMs) ?? chunks.at(-1);
  if (!chunk) throw new Error("no chunks recorded");
  const [stored] = await db
    .select({ data: recordingChunks.data })
    .from(recordingChunks)
    .where(and(eq(recordingChunks.recordingId, id), eq(recordingChunks.seq, chunk.seq)));
  if (!stored) throw new Error(`chunk ${chunk.seq} was not stored`);
  const decoder = Reflection.decode(Buffer.from(reflection, "base64"));
  const frames = readFrames(unpackChunk(stored.data));
  for (const frame of frames) {
    if (frame.tMs > atMs) break;
    decoder.decode(frame.bytes);
  }
}
