import { and, desc, eq, gte, lt, type SQL } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Database } from "../../db/client";
import { type StaffAccessAction, staffAccessLog, staffAccounts } from "../../db/schema";
import type { AuditPage } from "../../schema/privacy";

/** Writes one line of the audit trail: a staff member saw or acted on a customer's data. */
export async function recordStaffAccess(
  db: Database,
  access: { staffId: string; customerId: string; action: StaffAccessAction; ticketId?: string },
): Promise<void> {
  await db.insert(staffAccessLog).values({ id: uuidv7(), ticketId: null, ...access });
}

export interface AuditFilter {
  customerId?: string;
  staffId?: string;
  from?: Date;
  to?: Date;
  /** An entry id from a previous page: only older entries. */
  before?: string;
  limit: number;
}

/** The audit trail, newest first, a page at a time (keyset on the UUIDv7 id). */
export async function auditTrail(db: Database, filter: AuditFilter): Promise<AuditPage> {
  const conditions: SQL[] = [];
  if (filter.customerId) conditions.push(eq(staffAccessLog.customerId, filter.customerId));
  if (filter.staffId) conditions.push(eq(staffAccessLog.staffId, filter.staffId));
  if (filter.from) conditions.push(gte(staffAccessLog.at, filter.from));
  if (filter.to) conditions.push(lt(staffAccessLog.at, filter.to));
  if (filter.before) conditions.push(lt(staffAccessLog.id, filter.before));
  const rows = await db
    .select({ entry: staffAccessLog, staffName: staffAccounts.displayName })
    .from(staffAccessLog)
    .innerJoin(staffAccounts, eq(staffAccounts.id, staffAccessLog.staffId))
    .where(and(...conditions))
    .orderBy(desc(staffAccessLog.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  return {
    entries: page.map(({ entry, staffName }) => ({
      id: entry.id,
      staffId: entry.staffId,
      staffName,
      customerId: entry.customerId,
      action: entry.action,
      ticketId: entry.ticketId,
      at: entry.at.toISOString(),
    })),
    next: rows.length > filter.limit ? (page.at(-1)?.entry.id ?? null) : null,
  };
}
