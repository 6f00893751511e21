import { eq, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { type Database, theRow } from "../../db/client";
import { customers, erasures } from "../../db/schema";
import type { ErasureCounts, ErasureReceipt } from "../../schema/privacy";

/** Who asked for an erasure: the customer themselves, or a manager. */
export type ErasureRequester = { kind: "customer" } | { kind: "staff"; staffId: string };

/**
 * Keys of interaction payloads that carry what a person wrote or is called: chat lines, assistant
 * questions and answers, support messages, ratings' comments, display names, and what the
 * assistant extracted from or did with their words. Everything else in a payload is structure
 * (ids, skus, statuses, durations, scores) and stays, so the figures still add up.
 */
export const PERSONAL_PAYLOAD_KEYS = ["text", "question", "answer", "comment", "message", "name", "entities", "action"];
const personalKeys = sql.raw(`array[${PERSONAL_PAYLOAD_KEYS.map((key) => `'${key}'`).join(", ")}]::text[]`);

/**
 * Erases a customer's personal data everywhere (GDPR art. 17), in one transaction, and records
 * that it happened without any of it. Null when there is no such customer.
 *
 * The customer row is locked FOR UPDATE first. A second erasure waits there and then answers with
 * the first one's record, changing nothing. An insert that refers to the customer (its foreign
 * key takes KEY SHARE on this row) waits too; the CRM writer's inserts then see erased_at and
 * leave the row out (see admitInteractions), and openVisit refuses the customer.
 */
export async function eraseCustomer(
  db: Database,
  customerId: string,
  requester: ErasureRequester,
): Promise<ErasureReceipt | null> {
  return db.transaction(async (tx) => {
    const [customer] = await tx
      .select({ id: customers.id, erasedAt: customers.erasedAt })
      .from(customers)
      .where(eq(customers.id, customerId))
      .for("update");
    if (!customer) return null;
    if (customer.erasedAt) {
      const done = await tx.select().from(erasures).where(eq(erasures.customerId, customerId));
      return receipt(theRow(done, "reading an erasure"));
    }
    const touched = async (query: ReturnType<typeof sql>) => (await tx.execute(query)).rowCount ?? 0;
    const counts: ErasureCounts = {
      customers: await touched(sql`
        update customers set display_name = null, email = null, visitor_id = 'erased:' || id::text, erased_at = now()
        where id = ${customerId}`),
      visitsClosed: await touched(sql`
        update visits set ended_at = now() where customer_id = ${customerId} and ended_at is null`),
      interactions: await touched(sql`
        update interactions set payload = payload - ${personalKeys}
        where customer_id = ${customerId} and payload ?| ${personalKeys}`),
      tickets: await touched(sql`
        update support_tickets set message = null, csat_comment = null
        where customer_id = ${customerId} and (message is not null or csat_comment is not null)`),
      notes: await touched(sql`delete from support_notes where customer_id = ${customerId}`),
      demoRequests: await touched(sql`
        update demo_requests set message = '' where customer_id = ${customerId} and message <> ''`),
      quoteRequests: await touched(sql`
        update quote_requests set message = '' where customer_id = ${customerId} and message <> ''`),
      // Their name leaves recordings' visitor lists (the recorder's later chunks keep it out too).
      recordings: await touched(sql`
        update recordings set visitors = (
          select jsonb_agg(case when v->>'customerId' = ${customerId} then jsonb_set(v, '{name}', '""') else v end)
          from jsonb_array_elements(visitors) v)
        where visitors @> ${JSON.stringify([{ customerId }])}::jsonb`),
    };
    const done = await tx
      .insert(erasures)
      .values({
        id: uuidv7(),
        customerId,
        requestedBy: requester.kind,
        requestedByStaffId: requester.kind === "staff" ? requester.staffId : null,
        counts,
      })
      .returning();
    return receipt(theRow(done, "recording an erasure"));
  });
}

function receipt(row: typeof erasures.$inferSelect): ErasureReceipt {
  return {
    erasureId: row.id,
    customerId: row.customerId,
    erasedAt: row.erasedAt.toISOString(),
    requestedBy: row.requestedBy,
    counts: row.counts,
  };
}
