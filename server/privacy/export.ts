import { asc, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  customers,
  demoRequests,
  interactions,
  quoteRequests,
  recordings,
  showrooms,
  supportNotes,
  supportTickets,
  visits,
} from "../../db/schema";
import { type CustomerDataExport, PRIVACY_NOTICE_VERSION } from "../../schema/privacy";

/** Everything held about one customer (GDPR art. 15); null when there is no such customer. */
export async function exportCustomerData(db: Database, customerId: string): Promise<CustomerDataExport | null> {
  const [profile] = await db.select().from(customers).where(eq(customers.id, customerId));
  if (!profile) return null;
  const [rooms, visitRows, interactionRows, tickets, notes, demos, quotes] = await Promise.all([
    db.select({ id: showrooms.id, slug: showrooms.slug }).from(showrooms),
    db.select().from(visits).where(eq(visits.customerId, customerId)).orderBy(asc(visits.startedAt)),
    db
      .select()
      .from(interactions)
      .where(eq(interactions.customerId, customerId))
      .orderBy(asc(interactions.occurredAt), asc(interactions.id)),
    db
      .select()
      .from(supportTickets)
      .where(eq(supportTickets.customerId, customerId))
      .orderBy(asc(supportTickets.createdAt)),
    db.select().from(supportNotes).where(eq(supportNotes.customerId, customerId)).orderBy(asc(supportNotes.createdAt)),
    db.select().from(demoRequests).where(eq(demoRequests.customerId, customerId)).orderBy(asc(demoRequests.createdAt)),
    db
      .select()
      .from(quoteRequests)
      .where(eq(quoteRequests.customerId, customerId))
      .orderBy(asc(quoteRequests.createdAt)),
  ]);
  const slugOf = new Map(rooms.map((room) => [room.id, room.slug]));
  const slug = (showroomId: string) => slugOf.get(showroomId) ?? showroomId;
  return {
    exportedAt: new Date().toISOString(),
    noticeVersion: PRIVACY_NOTICE_VERSION,
    profile: {
      id: profile.id,
      visitorId: profile.visitorId,
      displayName: profile.displayName,
      email: profile.email,
      createdAt: profile.createdAt.toISOString(),
      lastSeenAt: profile.lastSeenAt.toISOString(),
      erasedAt: profile.erasedAt?.toISOString() ?? null,
    },
    visits: visitRows.map((v) => ({
      id: v.id,
      showroom: slug(v.showroomId),
      startedAt: v.startedAt.toISOString(),
      endedAt: v.endedAt?.toISOString() ?? null,
    })),
    interactions: interactionRows.map((i) => ({
      id: i.id,
      showroom: slug(i.showroomId),
      visitId: i.visitId,
      type: i.type,
      productSku: i.productSku,
      payload: i.payload,
      occurredAt: i.occurredAt.toISOString(),
    })),
    tickets: tickets.map((t) => ({
      id: t.id,
      showroom: slug(t.showroomId),
      reason: t.reason,
      message: t.message,
      status: t.status,
      productSku: t.productSku,
      createdAt: t.createdAt.toISOString(),
      closedAt: t.closedAt?.toISOString() ?? null,
      csatScore: t.csatScore,
      csatComment: t.csatComment,
    })),
    notes: notes.map((n) => ({ id: n.id, ticketId: n.ticketId, text: n.text, createdAt: n.createdAt.toISOString() })),
    demoRequests: demos.map((d) => ({
      id: d.id,
      showroom: slug(d.showroomId),
      productSku: d.productSku,
      message: d.message,
      createdAt: d.createdAt.toISOString(),
    })),
    quoteRequests: quotes.map((q) => ({
      id: q.id,
      showroom: slug(q.showroomId),
      items: q.items,
      message: q.message,
      createdAt: q.createdAt.toISOString(),
    })),
    recordings: (
      await db
        .select({
          id: recordings.id,
          showroomId: recordings.showroomId,
          startedAt: recordings.startedAt,
          endedAt: recordings.endedAt,
        })
        .from(recordings)
        .where(sql`${recordings.visitors} @> ${JSON.stringify([{ customerId }])}::jsonb`)
        .orderBy(asc(recordings.startedAt))
    ).map((r) => ({
      id: r.id,
      showroom: slug(r.showroomId),
      startedAt: r.startedAt.toISOString(),
      endedAt: r.endedAt?.toISOString() ?? null,
    })),
  };
}
