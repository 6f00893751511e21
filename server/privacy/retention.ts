import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { PrivacyConfig } from "./config";

/** Rows per DELETE: a sweep never holds many locks or one long transaction. */
const BATCH_SIZE = 1000;

/** One kind of data kept for a limited time. */
export interface RetentionRule {
  what: string;
  days: number;
  /** Deletes at most `limit` expired rows not locked by another process; answers how many. */
  deleteExpired(db: Database, days: number, limit: number): Promise<number>;
}

/** Rows of `table` whose `column` is older than the rule's days, deleted a batch at a time. */
const expiryRule = (what: string, table: string, column: string, days: number): RetentionRule => ({
  what,
  days,
  async deleteExpired(db, olderThanDays, limit) {
    const result = await db.execute(sql`
      delete from ${sql.identifier(table)} where id in (
        select id from ${sql.identifier(table)}
        where ${sql.identifier(column)} < now() - make_interval(days => ${olderThanDays})
        limit ${limit} for update skip locked)`);
    return result.rowCount ?? 0;
  },
});

const interactionRule = (days: number): RetentionRule =>
  expiryRule("interactions", "interactions", "occurred_at", days);

/**
 * A recording and its chunks go together (the chunks' foreign key cascades), by the room's opening.
 * One still open (no end) is kept a day longer: its room may still be recording; past that, its
 * process ended without closing it.
 */
const recordingRule = (days: number): RetentionRule => ({
  what: "recordings",
  days,
  async deleteExpired(db, olderThanDays, limit) {
    const result = await db.execute(sql`
      delete from recordings where id in (
        select id from recordings
        where started_at < now() - make_interval(days => ${olderThanDays})
          and (ended_at is not null or started_at < now() - make_interval(days => ${olderThanDays + 1}))
        limit ${limit} for update skip locked)`);
    return result.rowCount ?? 0;
  },
});

/** What is swept: interactions (ATRIUM_INTERACTION_RETENTION_DAYS) and recordings (ATRIUM_RECORDING_RETENTION_DAYS). */
export function retentionRules(config: PrivacyConfig): RetentionRule[] {
  return [interactionRule(config.interactionRetentionDays), recordingRule(config.recordingRetentionDays)];
}

/**
 * Deletes expired data once at start and then every sweepIntervalSeconds, in bounded batches.
 * Several processes may sweep at once: SKIP LOCKED gives each batch rows no other process holds.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly rules: RetentionRule[],
    private readonly intervalMs: number,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  /** One pass over every rule; a pass still running is joined, not doubled. */
  sweep(): Promise<void> {
    this.running ??= this.sweepAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async sweepAll(): Promise<void> {
    for (const rule of this.rules) {
      let deleted = 0;
      try {
        for (let batch = BATCH_SIZE; batch === BATCH_SIZE && !this.stopped; ) {
          batch = await rule.deleteExpired(this.db, rule.days, BATCH_SIZE);
          deleted += batch;
        }
      } catch (error) {
        this.log(`[privacy] retention sweep of ${rule.what} failed: ${(error as Error).message}`);
      }
      if (deleted > 0) this.log(`[privacy] deleted ${deleted} ${rule.what} older than ${rule.days} days`);
    }
  }
}
