import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { recordingChunks, recordings } from "../../db/schema";
import { RECORDING_FORMAT_VERSION } from "../../schema/recording";
import { refusesTheData } from "../crm/writer";
import type { ChunkSink, SealedChunk } from "../room/recorder";
import { checksumOf, packChunk } from "./format";

export interface RecordingStoreOptions {
  /** Beyond this many compressed bytes waiting for the database, the oldest chunks are dropped (and counted). */
  maxBufferedBytes?: number;
  /** The longest wait between tries while the database does not answer. */
  maxBackoffMs?: number;
  log?: (line: string) => void;
}

export interface RecordingStoreCounters {
  /** Chunks compressed and waiting for the database. */
  chunksQueued: number;
  chunksWritten: number;
  /** Let go, oldest first, while the database was away longer than the buffer holds. */
  chunksDropped: number;
  /** Refused by the database for good (set aside, logged). */
  chunksFailed: number;
  /** Tries that failed and were retried. */
  failedWrites: number;
  bytesWaiting: number;
  bytesWritten: number;
}

export interface RecordingOpening {
  id: string;
  showroomId: string;
  roomId: string;
  startedAt: Date;
  reflection: string;
}

type Job =
  | { kind: "open"; opening: RecordingOpening }
  | {
      kind: "chunk";
      recordingId: string;
      chunk: Omit<SealedChunk, "frames">;
      stored: Uint8Array;
      checksum: string;
    }
  | { kind: "end"; recordingId: string; endedAt: Date; durationMs: number };

const sizeOf = (job: Job) => (job.kind === "chunk" ? job.stored.byteLength : 0);

/**
 * Writes recordings to Postgres without ever blocking a room: a sealed chunk is compressed in
 * libuv's thread pool, queued in order with its recording's opening and end, and written by one
 * loop that retries with back-off while the database is away. Every write is idempotent (a
 * chunk is keyed by recording and seq, sizes are recomputed), so a retry duplicates nothing.
 */
export class RecordingStore implements ChunkSink {
  private readonly queue: Job[] = [];
  private bufferedBytes = 0;
  /** Chunks being compressed, in order of sealing: each waits for the one before it. */
  private packing: Promise<void> = Promise.resolve();
  private writing: Promise<void> | undefined;
  private failures = 0;
  private closed = false;
  /**
   * `chunksDropped`: the oldest chunks let go while the database was away too long.
   * `chunksFailed`: chunks the database refused and always would (their recording deleted, say),
   * set aside and logged; `setAside` counts every such write (openings and ends too).
   * `failedWrites`: tries that failed and were retried.
   */
  readonly stats = {
    chunksWritten: 0,
    chunksDropped: 0,
    chunksFailed: 0,
    setAside: 0,
    failedWrites: 0,
    bytesWritten: 0,
  };
  private readonly maxBufferedBytes: number;
  private readonly maxBackoffMs: number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly db: Database,
    options: RecordingStoreOptions = {},
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 256 * 1024 * 1024;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.log = options.log ?? ((line) => console.warn(line));
  }

  /** Jobs not yet written (chunks still compressing count once queued). */
  get pending(): number {
    return this.queue.length;
  }

  /** The figures /api/metrics shows: what is waiting now, and what happened to the chunks so far. */
  counters(): RecordingStoreCounters {
    return {
      chunksQueued: this.queue.filter((job) => job.kind === "chunk").length,
      chunksWritten: this.stats.chunksWritten,
      chunksDropped: this.stats.chunksDropped,
      chunksFailed: this.stats.chunksFailed,
      failedWrites: this.stats.failedWrites,
      bytesWaiting: this.bufferedBytes,
      bytesWritten: this.stats.bytesWritten,
    };
  }

  open(opening: RecordingOpening): void {
    this.push({ kind: "open", opening });
  }

  chunk(recordingId: string, sealed: SealedChunk): void {
    const { frames, ...chunk } = sealed;
    const previous = this.packing;
    // Deferred past the tick that sealed the chunk; the deflate itself runs in the thread pool.
    this.packing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => packChunk(frames))
      .then(
        async (stored) => {
          await previous;
          this.push({ kind: "chunk", recordingId, chunk, stored, checksum: checksumOf(stored) });
        },
        (error: Error) =>
          this.log(`[recording] could not compress chunk ${chunk.seq} of ${recordingId}: ${error.message}`),
      );
  }

  end(recordingId: string, endedAt: Date, durationMs: number): void {
    const previous = this.packing;
    this.packing = previous.then(() => this.push({ kind: "end", recordingId, endedAt, durationMs }));
  }

  /** Writes everything queued, waiting at most deadlineMs for a database that does not answer. */
  async close(deadlineMs = 10_000): Promise<void> {
    await this.packing;
    this.closed = true;
    const deadline = Date.now() + deadlineMs;
    while (this.queue.length > 0 && Date.now() < deadline) {
      await this.write();
      if (this.queue.length > 0) await delay(Math.min(250, Math.max(0, deadline - Date.now())));
    }
    if (this.queue.length > 0) this.log(`[recording] closed with ${this.queue.length} writes not made`);
  }

  private push(job: Job): void {
    this.queue.push(job);
    this.bufferedBytes += sizeOf(job);
    this.enforceBound();
    if (!this.closed) void this.write();
  }

  /** An outage longer than the buffer holds loses the oldest chunks, never the openings and ends. */
  private enforceBound(): void {
    while (this.bufferedBytes > this.maxBufferedBytes) {
      const index = this.queue.findIndex((job) => job.kind === "chunk");
      if (index < 0) return;
      const [dropped] = this.queue.splice(index, 1);
      if (dropped) this.bufferedBytes -= sizeOf(dropped);
      this.stats.chunksDropped++;
      if (this.stats.chunksDropped === 1 || this.stats.chunksDropped % 100 === 0)
        this.log(`[recording] the database is away too long: ${this.stats.chunksDropped} chunk(s) dropped`);
    }
  }

  /** One loop at a time writes the queue in order; a failure waits (back-off) and tries again. */
  private write(): Promise<void> {
    this.writing ??= this.writeAll().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  private async writeAll(): Promise<void> {
    for (let job = this.queue[0]; job !== undefined; job = this.queue[0]) {
      try {
        await this.writeJob(job);
      } catch (error) {
        if (refusesTheData(error)) {
          // Retrying can never succeed: one such write must not hold back every recording behind it.
          this.setAside(job, error as Error);
          continue;
        }
        this.failures++;
        this.stats.failedWrites++;
        if (this.failures === 1 || this.failures % 20 === 0)
          this.log(
            `[recording] write failed (${this.failures} in a row, ${this.queue.length} waiting): ${(error as Error).message}`,
          );
        if (this.closed) return;
        await delay(Math.min(this.maxBackoffMs, 100 * 2 ** Math.min(this.failures, 6)));
        continue;
      }
      if (this.failures > 0) this.log(`[recording] the database is back; writing ${this.queue.length} waiting`);
      this.failures = 0;
      if (this.queue[0] === job) this.queue.shift();
      this.bufferedBytes -= sizeOf(job);
      if (job.kind === "chunk") {
        this.stats.chunksWritten++;
        this.stats.bytesWritten += job.stored.byteLength;
      }
    }
  }

  private setAside(job: Job, error: Error): void {
    if (this.queue[0] === job) this.queue.shift();
    this.bufferedBytes -= sizeOf(job);
    this.stats.setAside++;
    if (job.kind === "chunk") this.stats.chunksFailed++;
    const what =
      job.kind === "open"
        ? `the opening of ${job.opening.id} (showroom ${job.opening.showroomId}, room ${job.opening.roomId})`
        : job.kind === "end"
          ? `the end of ${job.recordingId}`
          : `chunk ${job.chunk.seq} of ${job.recordingId} (${job.chunk.startMs}-${job.chunk.endMs} ms, ${job.stored.byteLength} bytes)`;
    this.log(`[recording] the database refused ${what}: ${error.message}; set aside`);
  }

  private async writeJob(job: Job): Promise<void> {
    if (job.kind === "open") {
      const { opening } = job;
      await this.db
        .insert(recordings)
        .values({ ...opening, formatVersion: RECORDING_FORMAT_VERSION })
        .onConflictDoNothing({ target: recordings.id });
      return;
    }
    if (job.kind === "end") {
      await this.db.execute(sql`
        update recordings r set ended_at = ${job.endedAt}, duration_ms = greatest(r.duration_ms, ${job.durationMs}),
          ticket_ids = (${ticketsDuring(sql`${job.endedAt}::timestamptz`)})
        where r.id = ${job.recordingId}`);
      return;
    }
    const { recordingId, chunk, stored, checksum } = job;
    await this.db.transaction(async (tx) => {
      await tx
        .insert(recordingChunks)
        .values({ recordingId, seq: chunk.seq, startMs: chunk.startMs, endMs: chunk.endMs, data: stored, checksum })
        .onConflictDoNothing();
      // Names of customers erased since they were here stay out (server/privacy/erasure.ts).
      await tx.execute(sql`
        update recordings r set
          duration_ms = greatest(r.duration_ms, ${chunk.endMs}),
          bytes = (select coalesce(sum(octet_length(data)), 0) from recording_chunks where recording_id = r.id),
          visitors = (
            select coalesce(jsonb_agg(jsonb_build_object(
              'customerId', v->>'customerId',
              'name', case when c.erased_at is null then v->>'name' else '' end)), '[]'::jsonb)
            from jsonb_array_elements(${JSON.stringify(chunk.visitors)}::jsonb) v
            left join customers c on c.id = (v->>'customerId')::uuid),
          agents = ${JSON.stringify(chunk.agents)}::jsonb,
          ticket_ids = (${ticketsDuring(sql`coalesce(r.ended_at, r.started_at + make_interval(secs => ${chunk.endMs / 1000}))`)})
        where r.id = ${recordingId}`);
    });
  }
}

/** The showroom's tickets opened while recording `r` ran (from its start up to `until`), oldest first. */
const ticketsDuring = (until: SQL) => sql`
  select coalesce(jsonb_agg(t.id::text order by t.created_at), '[]'::jsonb) from support_tickets t
  where t.showroom_id = r.showroom_id and t.created_at >= r.started_at and t.created_at <= ${until}`;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
