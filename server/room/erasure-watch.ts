import { and, inArray, isNotNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import { customers } from "../../db/schema";
import { ShowroomCloseCode } from "../../schema/close-codes";
import type { RoomClient } from "./visitor";

/** How often a room looks for customers in it whose data was erased (by them or a manager, in any process). */
export const ERASURE_CHECK_MS = 2000;

/** Which of these customers have been erased. One query, whatever the number. */
export async function erasedAmong(db: Database, customerIds: readonly string[]): Promise<Set<string>> {
  if (customerIds.length === 0) return new Set();
  const rows = await db
    .select({ id: customers.id })
    .from(customers)
    .where(and(inArray(customers.id, [...customerIds]), isNotNull(customers.erasedAt)));
  return new Set(rows.map((row) => row.id));
}

/**
 * A customer whose data was erased while in the room (from their own page or by a manager, in
 * any process) is let go: nothing more is recorded for them, and coming back makes a new visitor.
 */
export class ErasureWatch {
  constructor(
    private readonly erased: (customerIds: readonly string[]) => Promise<Set<string>>,
    private readonly clients: () => Iterable<RoomClient>,
    private readonly log: (line: string) => void,
  ) {}

  /** Lets the erased customers here go; returns their session ids. Never rejects. */
  async check(): Promise<string[]> {
    const customers = new Map<string, RoomClient>();
    for (const client of this.clients()) {
      const visit = client.userData?.visit;
      if (visit) customers.set(visit.customerId, client);
    }
    const letGo: string[] = [];
    try {
      for (const customerId of await this.erased([...customers.keys()])) {
        const client = customers.get(customerId);
        if (!client?.userData) continue;
        client.userData.disconnectedByServer = true;
        client.leave(ShowroomCloseCode.Erased, "Your data in this showroom was erased.");
        letGo.push(client.sessionId);
        this.log(`[room] ${client.sessionId} let go: their data was erased`);
      }
    } catch (error) {
      this.log(`[room] could not check for erased visitors: ${(error as Error).message}`);
    }
    return letGo;
  }
}
