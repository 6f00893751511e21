import { and, asc, gte, lt } from "drizzle-orm";
import type { Database } from "../../db/client";
import { showrooms, staffAccounts, supportTickets } from "../../db/schema";
import { isOpenTicketStatus, type SlaThresholds, type SupportMetrics, type TicketMeasures } from "../../schema/support";
import type { Ticket } from "./tickets";

const MAX_TICKETS = 5000;

/**
 * Per ticket: the wait (request → an agent next to the customer), the first response (request →
 * the agent's first private line), the resolution (request → resolved) and the CSAT; each
 * flagged when it passed its service-level threshold. An open ticket is measured by its time so far.
 */
export async function supportMetrics(
  db: Database,
  sla: SlaThresholds,
  from: Date,
  to: Date,
  now: Date = new Date(),
): Promise<SupportMetrics> {
  const rows = await db
    .select()
    .from(supportTickets)
    .where(and(gte(supportTickets.createdAt, from), lt(supportTickets.createdAt, to)))
    .orderBy(asc(supportTickets.createdAt))
    .limit(MAX_TICKETS);
  const [rooms, staff] = await Promise.all([
    db.select({ id: showrooms.id, slug: showrooms.slug }).from(showrooms),
    db.select({ id: staffAccounts.id, name: staffAccounts.displayName }).from(staffAccounts),
  ]);
  const slugOf = new Map(rooms.map((r) => [r.id, r.slug]));
  const nameOf = new Map(staff.map((s) => [s.id, s.name]));
  const tickets = rows.map((t) =>
    measure(
      t,
      sla,
      now,
      slugOf.get(t.showroomId) ?? "",
      t.assignedAgentId ? (nameOf.get(t.assignedAgentId) ?? null) : null,
    ),
  );
  return {
    sla,
    from: from.toISOString(),
    to: to.toISOString(),
    tickets,
    summary: {
      tickets: tickets.length,
      open: tickets.filter((t) => isOpenTicketStatus(t.status)).length,
      resolved: tickets.filter((t) => t.status === "resolved").length,
      abandoned: tickets.filter((t) => t.status === "abandoned").length,
      breached: tickets.filter((t) => t.breached.length > 0).length,
      averageWaitSeconds: average(tickets.map((t) => t.waitSeconds)),
      averageFirstResponseSeconds: average(tickets.map((t) => t.firstResponseSeconds)),
      averageResolutionSeconds: average(tickets.map((t) => t.resolutionSeconds)),
      averageCsat: average(tickets.map((t) => t.csat)),
    },
  };
}

function measure(t: Ticket, sla: SlaThresholds, now: Date, showroom: string, agentName: string | null): TicketMeasures {
  const since = (end: Date | null) => (end ? seconds(end.getTime() - t.createdAt.getTime()) : null);
  const open = isOpenTicketStatus(t.status);
  // Without the event, a ticket is measured until now (open) or until it closed.
  const stop = open ? now : (t.closedAt ?? now);
  const soFar = (end: Date | null) => since(end) ?? seconds(stop.getTime() - t.createdAt.getTime());
  const breached: TicketMeasures["breached"] = [];
  if (soFar(t.agentJoinedAt) > sla.waitSeconds) breached.push("wait");
  if (soFar(t.firstAgentMessageAt) > sla.firstResponseSeconds) breached.push("first_response");
  if (soFar(t.resolvedAt) > sla.resolutionSeconds) breached.push("resolution");
  return {
    ticketId: t.id,
    status: t.status,
    reason: t.reason,
    showroom,
    agentName,
    createdAt: t.createdAt.toISOString(),
    waitSeconds: since(t.agentJoinedAt),
    firstResponseSeconds: since(t.firstAgentMessageAt),
    resolutionSeconds: since(t.resolvedAt),
    csat: t.csatScore,
    breached,
  };
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function average(values: Array<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return null;
  return Math.round((present.reduce((a, b) => a + b, 0) / present.length) * 10) / 10;
}
