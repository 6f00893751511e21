import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { InteractionRow } from "../crm/interactions";

/**
 * The CRM writer's insert: writes the rows of customers not erased, leaves out the others, and
 * answers how many it kept. A visitor erased while still in a showroom keeps chatting and
 * moving; none of it is recorded again.
 *
 * One statement, so the embedded database is held no longer than by a plain insert. Its customers
 * are read FOR KEY SHARE (the lock their foreign keys take anyway): an erasure under way holds FOR
 * UPDATE on the row, so this waits for it and then re-reads erased_at as the erasure committed it.
 * Reading erased_at without the lock would let a row slip in between an erasure's read and its commit.
 */
export async function insertAdmitted(db: Database, rows: InteractionRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const values = sql.join(
    rows.map(
      (row) =>
        sql`(${row.id}::uuid, ${row.customerId}::uuid, ${row.showroomId}::uuid, ${row.visitId ?? null}::uuid, ${row.type}::text, ${row.productSku ?? null}::text, ${JSON.stringify(row.payload ?? {})}::jsonb, ${(row.occurredAt ?? new Date()).toISOString()}::timestamptz)`,
    ),
    sql`, `,
  );
  const result = await db.execute<{ admitted: number }>(sql`
    with batch (id, customer_id, showroom_id, visit_id, type, product_sku, payload, occurred_at) as (values ${values}),
    admitted as (
      select id from customers
      where id in (select customer_id from batch) and erased_at is null
      for key share
    ),
    written as (
      insert into interactions (id, customer_id, showroom_id, visit_id, type, product_sku, payload, occurred_at)
      select * from batch where customer_id in (select id from admitted)
      on conflict (id) do nothing
    )
    select count(*)::int as admitted from batch where customer_id in (select id from admitted)`);
  return result.rows[0]?.admitted ?? 0;
}
