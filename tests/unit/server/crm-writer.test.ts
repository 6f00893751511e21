import { describe, expect, it } from "vitest";
import type { Database } from "../../../db/client";
import type { InteractionRow } from "../../../server/crm/interactions";
import { CrmWriter } from "../../../server/crm/writer";

/** A stand-in for drizzle's insert chain whose inserts finish only when the test says so. */
function slowDatabase() {
  const written: string[] = [];
  const waiting: Array<() => void> = [];
  const db = {
    insert: () => ({
      values: (rows: InteractionRow[]) => ({
        onConflictDoNothing: () =>
          new Promise<void>((resolve) =>
            waiting.push(() => {
              written.push(...rows.map((r) => r.id as string));
              resolve();
            }),
          ),
      }),
    }),
  } as unknown as Database;
  const finishOne = () => waiting.shift()?.();
  return {
    db,
    written,
    finishOne,
    get waiting() {
      return waiting.length;
    },
  };
}

const row = (id: string): InteractionRow => ({
  id,
  customerId: "c",
  showroomId: "s",
  visitId: "v",
  type: "product_dwell",
  payload: {},
  occurredAt: new Date(),
});
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("the CRM writer's queue", () => {
  it("writes rows recorded while a batch is in flight, each exactly once", async () => {
    const database = slowDatabase();
    const writer = new CrmWriter(database.db, {
      flushIntervalMs: 60_000,
      batchSize: 10,
      maxBuffered: 10,
      log: () => undefined,
    });
    for (let i = 0; i < 10; i++) writer.record(row(`r${i}`));
    const flushing = writer.flush();
    await tick();
    expect(database.waiting).toBe(1);
    // Five more arrive while the first ten are being inserted: nothing is over the bound.
    for (let i = 10; i < 15; i++) writer.record(row(`r${i}`));
    expect(writer.pending).toBe(15);
    database.finishOne();
    await tick();
    database.finishOne();
    await flushing;
    await writer.close(1000);
    expect(database.written).toEqual(Array.from({ length: 15 }, (_, i) => `r${i}`));
    expect(writer.stats).toMatchObject({ written: 15, dropped: 0 });
  });

  it("gives up on close at its deadline when the database stops answering, saying how much is unwritten", async () => {
    const database = slowDatabase();
    const lines: string[] = [];
    const writer = new CrmWriter(database.db, { flushIntervalMs: 60_000, log: (line) => lines.push(line) });
    for (let i = 0; i < 3; i++) writer.record(row(`r${i}`));
    // The insert never finishes: close must still return (this test would time out otherwise).
    await writer.close(300);
    expect(database.written).toEqual([]);
    expect(lines.some((line) => line.includes("shutting down with 3 rows unwritten"))).toBe(true);
  });
});
