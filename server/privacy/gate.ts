import { inArray } from "drizzle-orm";
import type { Database } from "../../db/client";
import { customers, interactions } from "../../db/schema";
import type { InteractionRow } from "../crm/interactions";

/**
 * The CRM writer's insert: writes the rows of customers not erased, leaves out the others, and
 * answers how many it wrote. A visitor erased while still in a showroom keeps chatting and
 * moving; none of it is recorded again.
 *
 * The customers are read FOR KEY SHARE, the lock their foreign keys take anyway: an erasure under
 * way holds FOR UPDATE on the row, so this waits for it and then reads erased_at as it committed.
 * Reading erased_at without the lock would let a row slip in between an erasure's read and its
 * commit.
 */
export async function insertAdmitted(db: Database, rows: InteractionRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  return db.transaction(async (tx) => {
    const ids = [...new Set(rows.map((row) => row.customerId))];
    const found = await tx
      .select({ id: customers.id, erasedAt: customers.erasedAt })
      .from(customers)
      .where(inArray(customers.id, ids))
      .for("key share");
    const erased = new Set(found.filter((c) => c.erasedAt !== null).map((c) => c.id));
    const admitted = erased.size === 0 ? rows : rows.filter((row) => !erased.has(row.customerId));
    if (admitted.length > 0)
      await tx.insert(interactions).values(admitted).onConflictDoNothing({ target: interactions.id });
    return admitted.length;
  });
}
