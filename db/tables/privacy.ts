import { sql } from "drizzle-orm";
import { check, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { ErasureCounts } from "../../schema/privacy";
import { customers } from "./core";
import { staffAccounts } from "./support";

/**
 * That a customer's personal data was erased (GDPR art. 17), without any of it: the customer's
 * id (a random UUID that nothing identifying points to any more), who asked, when, and what was
 * touched. One per customer: a second request answers with this row.
 */
export const erasures = pgTable(
  "erasures",
  {
    id: uuid("id").primaryKey(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    /** "customer" (from the showroom) or "staff" (a manager, named by requestedByStaffId). */
    requestedBy: text("requested_by").$type<"customer" | "staff">().notNull(),
    requestedByStaffId: uuid("requested_by_staff_id").references(() => staffAccounts.id),
    erasedAt: timestamp("erased_at", { withTimezone: true }).notNull().defaultNow(),
    counts: jsonb("counts").$type<ErasureCounts>().notNull(),
  },
  (t) => [
    uniqueIndex("erasures_customer").on(t.customerId),
    check("erasures_requested_by", sql`${t.requestedBy} in ('customer', 'staff')`),
  ],
);

/** What staff looked at or did with one customer's data: the audit trail managers read. */
export const staffAccessLog = pgTable(
  "staff_access_log",
  {
    /** UUIDv7: sorts by time, and pages by it. */
    id: uuid("id").primaryKey(),
    staffId: uuid("staff_id")
      .notNull()
      .references(() => staffAccounts.id),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    /** "ticket_detail", "export", "erase" or "recording". */
    action: text("action").$type<StaffAccessAction>().notNull(),
    /** The ticket read, when the access was through one. */
    ticketId: uuid("ticket_id"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("staff_access_log_customer").on(t.customerId, t.id),
    index("staff_access_log_staff").on(t.staffId, t.id),
    index("staff_access_log_at").on(t.at),
    check("staff_access_log_action", sql`${t.action} in ('ticket_detail', 'export', 'erase', 'recording')`),
  ],
);

/** "recording": a recording in which the customer appears was opened. */
export type StaffAccessAction = "ticket_detail" | "export" | "erase" | "recording";
