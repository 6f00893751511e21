import { and, asc, desc, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { type Database, theRow } from "../../db/client";
import { literalList } from "../../db/sql";
import {
  agentPresence,
  customers,
  interactions,
  products,
  showrooms,
  staffAccounts,
  supportNotes,
  supportTickets,
  visits,
} from "../../db/schema";
import type { LocalizedText } from "../../db/tables/core";
import type { StaffIdentity } from "../auth/staff";
import {
  CLOSED_TICKET_STATUSES,
  HELD_TICKET_STATUSES,
  OPEN_TICKET_STATUSES,
  type CustomerSummary,
  type NoteView,
  type PastTicketView,
  type PresenceView,
  type ProductInterest,
  type QueueItem,
  type QueueSnapshot,
  type SupportMessageView,
  type TicketDetail,
  type TimelineLine,
} from "../../schema/support";
import { SupportError, type Ticket } from "./tickets";

/** What the consoles read: the live queue with each customer's context, and one ticket in full. */

const QUEUE_LIMIT = 100;
const RECENT_LINES = 5;
const TOP_PRODUCTS = 3;

export async function queueSnapshot(db: Database, viewer: StaffIdentity): Promise<QueueSnapshot> {
  // Agents see the queue and their own tickets; managers see every open ticket.
  const visible =
    viewer.role === "manager"
      ? inArray(supportTickets.status, OPEN_TICKET_STATUSES)
      : or(
          eq(supportTickets.status, "queued"),
          and(eq(supportTickets.assignedAgentId, viewer.id), inArray(supportTickets.status, HELD_TICKET_STATUSES)),
        );
  const tickets = await db
    .select()
    .from(supportTickets)
    .where(visible)
    .orderBy(asc(supportTickets.createdAt), asc(supportTickets.id))
    .limit(QUEUE_LIMIT);
  const { queued } = theRow(
    await db
      .select({ queued: sql<number>`count(*)::int` })
      .from(supportTickets)
      .where(eq(supportTickets.status, "queued")),
    "the queued count",
  );
  return {
    at: new Date().toISOString(),
    queued,
    items: await queueItems(db, tickets, viewer.id),
    presence: viewer.role === "agent" ? await presenceOf(db, viewer.id) : null,
  };
}

/** How many tickets the agent whose id is in `staffId` holds now (they count against the agent's capacity). */
export function ticketsHeldBy(staffId: AnyPgColumn): SQL<number> {
  return sql<number>`(select count(*)::int from ${supportTickets} where ${supportTickets.assignedAgentId} = ${staffId} and ${supportTickets.status} in ${literalList(HELD_TICKET_STATUSES)})`;
}

export async function presenceOf(db: Database, agentId: string): Promise<PresenceView | null> {
  const [row] = await db
    .select({
      status: agentPresence.status,
      capacity: agentPresence.capacity,
      held: ticketsHeldBy(agentPresence.staffId),
    })
    .from(agentPresence)
    .where(eq(agentPresence.staffId, agentId));
  return row ?? null;
}

async function queueItems(db: Database, tickets: Ticket[], viewerId: string): Promise<QueueItem[]> {
  if (tickets.length === 0) return [];
  const customerIds = [...new Set(tickets.map((t) => t.customerId))];
  const [summaries, rooms, agents, names] = await Promise.all([
    customerSummaries(db, customerIds),
    db.select({ id: showrooms.id, slug: showrooms.slug, name: showrooms.name }).from(showrooms),
    namesOf(
      db,
      tickets.map((t) => t.assignedAgentId),
    ),
    productNames(
      db,
      tickets.map((t) => ({ showroomId: t.showroomId, sku: t.productSku })),
    ),
  ]);
  const positions = await queuePositions(
    db,
    tickets.filter((t) => t.status === "queued").map((t) => t.id),
  );
  const roomById = new Map(rooms.map((r) => [r.id, r]));
  return tickets.map((t) => {
    const room = roomById.get(t.showroomId);
    return {
      ticketId: t.id,
      status: t.status,
      reason: t.reason,
      message: t.message,
      productSku: t.productSku,
      productName: t.productSku ? (names.get(`${t.showroomId}/${t.productSku}`) ?? t.productSku) : null,
      showroom: { slug: room?.slug ?? "", name: room ? english(room.name) : "" },
      createdAt: t.createdAt.toISOString(),
      position: positions.get(t.id) ?? null,
      requestCount: t.requestCount,
      mine: t.assignedAgentId === viewerId,
      acceptedAt: t.acceptedAt?.toISOString() ?? null,
      agentName: t.assignedAgentId ? (agents.get(t.assignedAgentId) ?? null) : null,
      customer: summaries.get(t.customerId) ?? emptySummary(t.customerId),
    };
  });
}

/** Place in the queue (1 = next), longest waiting first, for the given queued tickets. */
export async function queuePositions(db: Database, ticketIds: string[]): Promise<Map<string, number>> {
  if (ticketIds.length === 0) return new Map();
  const rows = await db.execute<{ id: string; position: number }>(sql`
    select id, position from (
      select id, row_number() over (order by created_at, id)::int as position
      from support_tickets where status = 'queued'
    ) q where id in (${sql.join(
      ticketIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`);
  return new Map(rows.rows.map((r) => [r.id, r.position]));
}

async function namesOf(db: Database, staffIds: Array<string | null>): Promise<Map<string, string>> {
  const ids = [...new Set(staffIds.filter((id): id is string => id !== null))];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: staffAccounts.id, name: staffAccounts.displayName })
    .from(staffAccounts)
    .where(inArray(staffAccounts.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}

async function productNames(
  db: Database,
  wanted: Array<{ showroomId: string; sku: string | null }>,
): Promise<Map<string, string>> {
  const showroomIds = [...new Set(wanted.filter((w) => w.sku).map((w) => w.showroomId))];
  if (showroomIds.length === 0) return new Map();
  const rows = await db
    .select({ showroomId: products.showroomId, sku: products.sku, name: products.name })
    .from(products)
    .where(inArray(products.showroomId, showroomIds));
  return new Map(rows.map((r) => [`${r.showroomId}/${r.sku}`, english(r.name)]));
}

function english(text: LocalizedText): string {
  return text.en ?? Object.values(text)[0] ?? "";
}

/** The random end of a customer's UUIDv7 (its start is a timestamp, alike for customers of one day). */
function customerReference(customerId: string): string {
  return customerId.replace(/-/g, "").slice(-8);
}

function emptySummary(id: string): CustomerSummary {
  return {
    id,
    name: null,
    reference: customerReference(id),
    visits: 0,
    lingered: [],
    held: [],
    recentLines: [],
    pastTickets: 0,
    notes: 0,
  };
}

/** Each customer's context in a handful of queries, however many customers are waiting. */
async function customerSummaries(db: Database, customerIds: string[]): Promise<Map<string, CustomerSummary>> {
  const out = new Map<string, CustomerSummary>();
  if (customerIds.length === 0) return out;
  const ids = sql.join(
    customerIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  const [people, visitCounts, interest, lines, ticketCounts, noteCounts] = await Promise.all([
    db.select().from(customers).where(inArray(customers.id, customerIds)),
    db
      .select({ customerId: visits.customerId, n: sql<number>`count(*)::int` })
      .from(visits)
      .where(inArray(visits.customerId, customerIds))
      .groupBy(visits.customerId),
    db.execute<{ customer_id: string; type: string; sku: string; name: LocalizedText | null; amount: number }>(sql`
      select i.customer_id, i.type, i.product_sku as sku, p.name,
        case when i.type = 'product_dwell' then round(sum((i.payload->>'durationMs')::numeric) / 1000)::int else count(*)::int end as amount
      from interactions i left join products p on p.showroom_id = i.showroom_id and p.sku = i.product_sku
      where i.customer_id in (${ids}) and i.type in ('product_dwell', 'product_grabbed') and i.product_sku is not null
      group by i.customer_id, i.type, i.product_sku, p.name
      order by amount desc`),
    db.execute<{
      id: string;
      customer_id: string;
      type: string;
      occurred_at: Date | string;
      payload: Record<string, unknown>;
      product_sku: string | null;
    }>(sql`
      select id, customer_id, type, occurred_at, payload, product_sku from (
        select i.*, row_number() over (partition by customer_id order by occurred_at desc) as n
        from interactions i where customer_id in (${ids}) and (type = 'chat' or type like 'assistant%')
      ) recent where n <= ${RECENT_LINES} order by occurred_at desc`),
    db
      .select({ customerId: supportTickets.customerId, n: sql<number>`count(*)::int` })
      .from(supportTickets)
      .where(
        and(inArray(supportTickets.customerId, customerIds), inArray(supportTickets.status, CLOSED_TICKET_STATUSES)),
      )
      .groupBy(supportTickets.customerId),
    db
      .select({ customerId: supportNotes.customerId, n: sql<number>`count(*)::int` })
      .from(supportNotes)
      .where(inArray(supportNotes.customerId, customerIds))
      .groupBy(supportNotes.customerId),
  ]);
  for (const person of people) out.set(person.id, { ...emptySummary(person.id), name: person.displayName });
  for (const row of visitCounts) out.get(row.customerId)!.visits = row.n;
  for (const row of ticketCounts) out.get(row.customerId)!.pastTickets = row.n;
  for (const row of noteCounts) out.get(row.customerId)!.notes = row.n;
  for (const row of interest.rows) {
    const summary = out.get(row.customer_id);
    if (!summary) continue;
    const list: ProductInterest[] = row.type === "product_dwell" ? summary.lingered : summary.held;
    if (list.length < TOP_PRODUCTS)
      list.push({ sku: row.sku, name: row.name ? english(row.name) : row.sku, amount: row.amount });
  }
  for (const row of lines.rows) out.get(row.customer_id)?.recentLines.push(timelineLine(row));
  return out;
}

function timelineLine(row: {
  id: string;
  type: string;
  occurred_at: Date | string;
  payload: Record<string, unknown>;
  product_sku: string | null;
}): TimelineLine {
  return {
    id: row.id,
    type: row.type,
    at: new Date(row.occurred_at).toISOString(),
    text: describe(row.type, row.payload),
    productSku: row.product_sku,
  };
}

/** One line a person can read for an interaction. */
function describe(type: string, payload: Record<string, unknown>): string {
  const text = typeof payload.text === "string" ? payload.text : "";
  const actor = payload.actor as { kind?: string } | undefined;
  const by = actor?.kind ? ` (by ${actor.kind})` : "";
  switch (type) {
    case "chat":
      return text;
    case "support_requested":
      return `Asked for help: ${String(payload.reason)}${text ? ` "${text}"` : ""}`;
    case "support_request_merged":
      return `Asked again (merged): ${String(payload.reason)}${text ? ` "${text}"` : ""}`;
    case "support_csat":
      return `Rated ${String(payload.score)}/5${typeof payload.comment === "string" ? `: "${payload.comment}"` : ""}`;
    case "assistant_exchange":
      return `Asked the assistant "${String(payload.question ?? "")}", answered "${String(payload.answer ?? "")}"`;
    default:
      if (type.startsWith("assistant")) return text || type;
      if (type.startsWith("support_"))
        return `${type.slice("support_".length).replaceAll("_", " ")}${payload.to ? ` → ${String(payload.to)}` : ""}${by}`;
      return text || type;
  }
}

export async function ticketDetail(db: Database, viewer: StaffIdentity, ticketId: string): Promise<TicketDetail> {
  const [ticket] = await db.select().from(supportTickets).where(eq(supportTickets.id, ticketId));
  if (!ticket) throw new SupportError("not_found", "There is no such ticket.");
  const item = theRow(await queueItems(db, [ticket], viewer.id), "the ticket's queue item");
  const [events, visitRows, past, notes] = await Promise.all([
    db
      .select()
      .from(interactions)
      .where(
        and(
          eq(interactions.customerId, ticket.customerId),
          sql`${interactions.type} like 'support\\_%'`,
          sql`${interactions.payload}->>'ticketId' = ${ticketId}`,
        ),
      )
      .orderBy(asc(interactions.occurredAt), asc(interactions.id)),
    db
      .select({ showroom: showrooms.slug, startedAt: visits.startedAt, endedAt: visits.endedAt })
      .from(visits)
      .innerJoin(showrooms, eq(showrooms.id, visits.showroomId))
      .where(eq(visits.customerId, ticket.customerId))
      .orderBy(desc(visits.startedAt))
      .limit(10),
    db
      .select()
      .from(supportTickets)
      .where(and(eq(supportTickets.customerId, ticket.customerId), sql`${supportTickets.id} <> ${ticketId}`))
      .orderBy(desc(supportTickets.createdAt))
      .limit(10),
    db
      .select({ note: supportNotes, author: staffAccounts.displayName })
      .from(supportNotes)
      .innerJoin(staffAccounts, eq(staffAccounts.id, supportNotes.authorId))
      .where(eq(supportNotes.customerId, ticket.customerId))
      .orderBy(desc(supportNotes.createdAt))
      .limit(50),
  ]);
  const toLine = (row: typeof interactions.$inferSelect) =>
    timelineLine({
      id: row.id,
      type: row.type,
      occurred_at: row.occurredAt,
      payload: row.payload,
      product_sku: row.productSku,
    });
  const messages: SupportMessageView[] = events
    .filter((e) => e.type === "support_message")
    .map((e) => ({
      id: e.id,
      from: (e.payload.actor as { kind: string }).kind === "agent" ? "agent" : "customer",
      text: String(e.payload.text),
      sentAt: e.occurredAt.toISOString(),
    }));
  return {
    item,
    history: events.filter((e) => e.type !== "support_message").map(toLine),
    messages,
    visits: visitRows.map((v) => ({
      showroom: v.showroom,
      startedAt: v.startedAt.toISOString(),
      endedAt: v.endedAt?.toISOString() ?? null,
    })),
    pastTickets: past.map(
      (t): PastTicketView => ({
        id: t.id,
        status: t.status,
        reason: t.reason,
        createdAt: t.createdAt.toISOString(),
        csatScore: t.csatScore,
      }),
    ),
    notes: notes.map(
      ({ note, author }): NoteView => ({
        id: note.id,
        ticketId: note.ticketId,
        author,
        text: note.text,
        createdAt: note.createdAt.toISOString(),
      }),
    ),
  };
}
