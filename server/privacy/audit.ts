import { and, desc, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Database } from "../../db/client";
import { recordingOpenings, type StaffAccessAction, staffAccessLog, staffAccounts } from "../../db/schema";
import type { AuditPage } from "../../schema/privacy";

/** Writes one line of the audit trail: a staff member saw or acted on a customer's data. */
export async function recordStaffAccess(
  db: Database,
  access: { staffId: string; customerId: string; action: StaffAccessAction; ticketId?: string },
): Promise<void> {
  await db.insert(staffAccessLog).values({ id: uuidv7(), ticketId: null, ...access });
}

/** The same staff member opening the same recording again within this time is the same viewing. */
export const REOPENING_WINDOW_MS = 10 * 60 * 1000;

/**
 * Writes the audit of a recording opened: one `recording_openings` line (the recording, the span
 * shown, even with no visitors in it) and one `staff_access_log` line per customer seen. Nothing
 * when the same staff member opened it within REOPENING_WINDOW_MS; answers whether it wrote.
 */
export async function recordRecordingOpening(
  db: Database,
  opening: { staffId: string; recordingId: string; fromMs: number; toMs: number; customerIds: string[] },
): Promise<boolean> {
  const customerIds = [...new Set(opening.customerIds)];
  return db.transaction(async (tx) => {
    // One viewer's concurrent requests take turns, so a reopening is seen as one.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`${opening.staffId}/${opening.recordingId}`}))`);
    const [recent] = await tx
      .select({ id: recordingOpenings.id })
      .from(recordingOpenings)
      .where(
        and(
          eq(recordingOpenings.staffId, opening.staffId),
          eq(recordingOpenings.recordingId, opening.recordingId),
          gte(recordingOpenings.at, new Date(Date.now() - REOPENING_WINDOW_MS)),
        ),
      )
      .limit(1);
    if (recent) return false;
    await tx.insert(recordingOpenings).values({
      id: uuidv7(),
      staffId: opening.staffId,
      recordingId: opening.recordingId,
      fromMs: Math.round(opening.fromMs),
      toMs: Math.round(Math.min(opening.toMs, 2 ** 31 - 1)),
      visitors: customerIds.length,
    });
    if (customerIds.length > 0)
      await tx.insert(staffAccessLog).values(
        customerIds.map((customerId) => ({
          id: uuidv7(),
          staffId: opening.staffId,
          customerId,
          action: "recording" as const,
        })),
      );
    return true;
  });
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
