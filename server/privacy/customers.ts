import { eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { customers } from "../../db/schema";

const CUSTOMER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The reference the agent console shows (server/support/views.ts customerReference): the id's last 8 hex digits. */
const CUSTOMER_REFERENCE = /^[0-9a-f]{8}$/;

export type CustomerLookup =
  | { kind: "found"; customerId: string }
  | { kind: "invalid" }
  | { kind: "unknown" }
  | { kind: "ambiguous"; count: number };

/** A customer named by their id or by the console's reference. */
export async function findCustomer(db: Database, idOrReference: string): Promise<CustomerLookup> {
  const key = idOrReference.toLowerCase();
  if (CUSTOMER_ID.test(key)) {
    const [row] = await db.select({ id: customers.id }).from(customers).where(eq(customers.id, key));
    return row ? { kind: "found", customerId: row.id } : { kind: "unknown" };
  }
  if (!CUSTOMER_REFERENCE.test(key)) return { kind: "invalid" };
  const rows = await db
    .select({ id: customers.id })
    .from(customers)
    .where(sql`right(replace(${customers.id}::text, '-', ''), 8) = ${key}`)
    .limit(2);
  if (rows.length === 0) return { kind: "unknown" };
  const [only, second] = rows;
  if (!only) return { kind: "unknown" };
  if (second) return { kind: "ambiguous", count: rows.length };
  return { kind: "found", customerId: only.id };
}
