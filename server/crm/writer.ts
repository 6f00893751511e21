import { eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { interactions, visits } from "../../db/schema";
import type { InteractionRow } from "./interactions";

export interface CrmWriterOptions {
  /** How long telemetry waits to be batched; the loss window on a crash. */
  flushIntervalMs?: number;
  /** Rows per INSERT. */
  batchSize?: number;
  /** Beyond this many waiting rows during an outage, the oldest telemetry is dropped (and counted). */
  maxBuffered?: number;
  log?: (line: string) => void;
}

type VisitEnd = { visitId: string; endedAt: Date };

/**
 * Writes interactions to Postgres without ever blocking the simulation. Telemetry is queued
 * and flushed in batches; business events are committed before the caller acknowledges them.
 * Every insert is idempotent (ON CONFLICT (id) DO NOTHING), so a batch that failed halfway
 * and is retried never duplicates a row.
 */
export class CrmWriter {
  private queue: InteractionRow[] = [];
  /** Rows taken out of the queue by the insert under way. */
  private inFlight = 0;
  private visitEnds: VisitEnd[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private retryAt = 0;
  private closed = false;
  readonly stats = { written: 0, dropped: 0, failedFlushes: 0 };
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly db: Database,
    options: CrmWriterOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.batchSize = options.batchSize ?? 500;
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.log = options.log ?? ((line) => console.warn(line));
    this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  get pending(): number {
    return this.queue.length + this.inFlight + this.visitEnds.length;
  }

  /** Queues telemetry; returns at once. */
  record(row: InteractionRow): void {
    if (this.closed) throw new Error("the CRM writer is closed");
    this.queue.push(row);
    this.enforceBound();
  }

  /** Beyond maxBuffered waiting rows the oldest go: a long outage costs old telemetry, never memory. */
  private enforceBound(): void {
    const excess = this.queue.length - this.maxBuffered;
    if (excess <= 0) return;
    const before = this.stats.dropped;
    this.queue.splice(0, excess);
    this.stats.dropped += excess;
    // One line per thousand dropped rows, not one per row.
    if (before === 0 || Math.floor(before / 1000) !== Math.floor(this.stats.dropped / 1000)) {
      this.log(`[crm] database unavailable for too long: dropped the oldest telemetry (${this.stats.dropped} rows in all)`);
    }
  }

  /** Queues the end of a visit; applied after the visit's queued interactions. */
  endVisit(visitId: string, endedAt: Date = new Date()): void {
    this.visitEnds.push({ visitId, endedAt });
  }

  /** Commits business events now; resolves only when they are durable, rejects if they are not. */
  async commit(rows: InteractionRow[]): Promise<void> {
    await this.db.insert(interactions).values(rows).onConflictDoNothing({ target: interactions.id });
    this.stats.written += rows.length;
  }

  /** Writes everything queued so far. Concurrent callers share one flush. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.pending > 0 ? this.flush() : undefined));
    if (this.pending === 0 || Date.now() < this.retryAt) return Promise.resolve();
    this.flushing = this.writeQueued().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Stops the timer and writes what is left, retrying for up to timeoutMs. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const deadline = Date.now() + timeoutMs;
    while (this.pending > 0 && Date.now() < deadline) {
      this.retryAt = 0;
      await this.flush();
      if (this.pending > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (this.pending > 0) this.log(`[crm] shutting down with ${this.pending} rows unwritten: the database did not come back in time`);
  }

  private async writeQueued(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // Taken out while the insert runs, so rows recorded (or dropped) meanwhile can't be confused with it.
        const batch = this.queue.splice(0, this.batchSize);
        this.inFlight = batch.length;
        try {
          await this.db.insert(interactions).values(batch).onConflictDoNothing({ target: interactions.id });
        } catch (error) {
          // Back at the front, in order, for the retry; the bound applies again.
          this.queue.unshift(...batch);
          this.enforceBound();
          throw error;
        } finally {
          this.inFlight = 0;
        }
        this.stats.written += batch.length;
      }
      while (this.visitEnds.length > 0) {
        const end = this.visitEnds[0];
        await this.db
          .update(visits)
          .set({ endedAt: sql`coalesce(${visits.endedAt}, ${end.endedAt.toISOString()}::timestamptz)` })
          .where(eq(visits.id, end.visitId));
        this.visitEnds.shift();
      }
      if (this.failures > 0) this.log(`[crm] database reachable again; caught up`);
      this.failures = 0;
    } catch (error) {
      this.failures++;
      this.stats.failedFlushes++;
      // Back off up to 5 s between attempts so an outage costs little.
      this.retryAt = Date.now() + Math.min(5000, 100 * 2 ** this.failures);
      if (this.failures === 1 || this.failures % 20 === 0) {
        this.log(`[crm] could not write ${this.pending} queued rows (${(error as Error).message}); retrying`);
      }
    }
  }
}
