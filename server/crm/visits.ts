import { and, eq, isNull } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Database } from "../../db/client";
import { customers, visits } from "../../db/schema";
import type { VisitContext } from "./interactions";

/**
 * Starts a customer's visit: the customer is seen now (and keeps the display name they gave),
 * and the visit row exists before any interaction refers to it. Null when the customer is
 * unknown (a token for a database that was reset).
 */
export async function openVisit(
  db: Database,
  visit: { customerId: string; showroomId: string; roomId: string; displayName: string },
): Promise<VisitContext | null> {
  const visitId = uuidv7();
  return db.transaction(async (tx) => {
    const seen = await tx
      .update(customers)
      .set({ lastSeenAt: new Date(), ...(visit.displayName ? { displayName: visit.displayName } : {}) })
      .where(and(eq(customers.id, visit.customerId), isNull(customers.erasedAt)))
      .returning({ id: customers.id });
    if (seen.length === 0) return null;
    await tx.insert(visits).values({
      id: visitId,
      customerId: visit.customerId,
      showroomId: visit.showroomId,
      roomId: visit.roomId,
      startedAt: new Date(),
    });
    return { customerId: visit.customerId, showroomId: visit.showroomId, visitId };
  });
}
