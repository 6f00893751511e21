import { and, inArray, isNotNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import { customers } from "../../db/schema";

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
