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
  /**
   * Writes rows (idempotently) and answers how many it kept; the rest are counted as discarded.
   * The server's leaves out the rows of erased customers (server/privacy/gate.ts).
   */
  insert?: InteractionInserter;
}

export type InteractionInserter = (db: Database, rows: InteractionRow[]) => Promise<number>;

const insertAll: InteractionInserter = async (db, rows) => {
  await db.insert(interactions).values(rows).onConflictDoNothing({ target: interactions.id });
  return rows.length;
};

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
  /**
   * `refused`: rows the database can never take (invalid data), logged in full and set aside.
   * `discarded`: rows the inserter left out on purpose (an erased customer's).
   */
  readonly stats = { written: 0, dropped: 0, failedFlushes: 0, refused: 0, discarded: 0 };
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  private readonly log: (line: string) => void;
  private readonly insertRows: InteractionInserter;

  constructor(
    private readonly db: Database,
    options: CrmWriterOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.batchSize = options.batchSize ?? 500;
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.log = options.log ?? ((line) => console.warn(line));
    this.insertRows = options.insert ?? insertAll;
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
      this.log(
        `[crm] database unavailable for too long: dropped the oldest telemetry (${this.stats.dropped} rows in all)`,
      );
    }
  }

  /** Queues the end of a visit; applied after the visit's queued interactions. */
  endVisit(visitId: string, endedAt: Date = new Date()): void {
    this.visitEnds.push({ visitId, endedAt });
  }

  /** Commits business events now; resolves only when they are durable, rejects if they are not. */
  async commit(rows: InteractionRow[]): Promise<void> {
    this.counted(rows.length, await this.insertRows(this.db, rows));
  }

  private counted(given: number, kept: number): void {
    this.stats.written += kept;
    this.stats.discarded += given - kept;
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
      // A database that stopped answering (a dead connection) must not hold the shutdown past its deadline.
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>(
        (resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))),
      );
      await Promise.race([this.flush(), timedOut]);
      clearTimeout(timer);
      if (this.pending > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (this.pending > 0)
      this.log(`[crm] shutting down with ${this.pending} rows unwritten: the database did not come back in time`);
  }

  /** Writes rows one at a time, setting aside (logged in full) those the database refuses. */
  private async writeOneByOne(rows: InteractionRow[]): Promise<void> {
    for (const [i, row] of rows.entries()) {
      try {
        this.counted(1, await this.insertRows(this.db, [row]));
      } catch (error) {
        if (!refusesTheData(error)) {
          this.queue.unshift(...rows.slice(i));
          this.enforceBound();
          throw error;
        }
        this.stats.refused++;
        this.log(
          `[crm] the database refused interaction ${row.id} (${row.type}): ${(error as Error).message}; set aside: ${JSON.stringify(row)}`,
        );
      }
    }
  }

  private async writeQueued(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // Taken out while the insert runs, so rows recorded (or dropped) meanwhile can't be confused with it.
        const batch = this.queue.splice(0, this.batchSize);
        this.inFlight = batch.length;
        try {
          this.counted(batch.length, await this.insertRows(this.db, batch));
        } catch (error) {
          if (!refusesTheData(error)) {
            // Back at the front, in order, for the retry; the bound applies again.
            this.queue.unshift(...batch);
            this.enforceBound();
            throw error;
          }
          // The database refuses something in this batch, and always will: one bad row must not
          // hold back the others (or every room's telemetry behind them).
          await this.writeOneByOne(batch);
        } finally {
          this.inFlight = 0;
        }
      }
      for (let end = this.visitEnds[0]; end !== undefined; end = this.visitEnds[0]) {
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

/**
 * Whether the database refused the data itself (SQLSTATE class 22, data exception, or 23,
 * integrity constraint): retrying the same rows can never succeed, unlike a lost connection.
 */
export function refusesTheData(error: unknown): boolean {
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    const code = (cause as Error & { code?: unknown }).code;
    if (typeof code === "string" && /^2[23][0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}
