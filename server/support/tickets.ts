import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { type Database, type Queryable, theRow, type Transaction } from "../../db/client";
import { agentPresence, interactions, supportTickets } from "../../db/schema";
import { literalList } from "../../db/sql";
import type { SupportParty } from "../../schema/roles";
import {
  HELD_TICKET_STATUSES,
  isHeldTicketStatus,
  isOpenTicketStatus,
  OPEN_TICKET_STATUSES,
  type TicketStatus,
} from "../../schema/support";

/**
 * The support ticket's life, written so that any number of agents and server processes can act
 * at once: every change is one conditional UPDATE (… WHERE status = the expected one RETURNING),
 * so of two competing changes exactly one matches, and it is committed together with the
 * interaction that puts it on the customer's timeline, naming who made it.
 */

export type Ticket = typeof supportTickets.$inferSelect;

export type SupportReason = "help_button" | "assistant_escalation" | "complaint";
export type RequestSource = "help_button" | "assistant";

/** Who made a change: recorded with it on the customer's timeline. */
export type Actor = { kind: "customer"; id: string } | { kind: "agent"; id: string } | { kind: "system"; id: null };

export const SYSTEM: Actor = { kind: "system", id: null };

export type SupportErrorCode =
  | "not_found"
  | "taken"
  | "already_accepted"
  | "closed"
  | "not_online"
  | "at_capacity"
  | "not_yours"
  | "not_resolved"
  | "already_rated";

/** A change the ticket's state does not allow; the code says which rule, the message says it to a person. */
export class SupportError extends Error {
  constructor(
    readonly code: SupportErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The kinds of support interaction on the customer's timeline. */
export type SupportChange =
  | "support_requested"
  | "support_request_merged"
  | "support_assigned"
  | "support_accepted"
  | "support_agent_joined"
  | "support_released"
  | "support_assignment_expired"
  | "support_resolved"
  | "support_abandoned"
  | "support_csat"
  | "support_message";

function changeRow(
  ticket: Ticket,
  type: SupportChange,
  actor: Actor,
  payload: Record<string, unknown> = {},
  from?: TicketStatus,
) {
  return {
    id: uuidv7(),
    customerId: ticket.customerId,
    showroomId: ticket.showroomId,
    visitId: ticket.visitId,
    type,
    productSku: ticket.productSku,
    payload: { ticketId: ticket.id, ...(from ? { from } : {}), to: ticket.status, actor, ...payload },
    occurredAt: new Date(),
  };
}

async function recordChange(
  tx: Queryable,
  ticket: Ticket,
  type: SupportChange,
  actor: Actor,
  payload?: Record<string, unknown>,
  from?: TicketStatus,
): Promise<string> {
  const row = changeRow(ticket, type, actor, payload, from);
  await tx.insert(interactions).values(row);
  return row.id;
}

/** Where a ticket is open (the predicate of the one-open-ticket-per-customer index). */
export const ticketIsOpen = sql`${supportTickets.status} in ${literalList(OPEN_TICKET_STATUSES)}`;

export interface HelpRequest {
  customerId: string;
  showroomId: string;
  visitId: string | null;
  productSku: string | null;
  reason: SupportReason;
  source: RequestSource;
  message: string | null;
}

/**
 * Opens a ticket, or merges the request into the customer's open one (at most one is open per
 * customer, enforced by a unique index, so two requests racing still make one ticket). A
 * complaint merged into a plain request makes the ticket a complaint.
 */
export async function requestHelp(db: Database, request: HelpRequest): Promise<{ ticket: Ticket; merged: boolean }> {
  return db.transaction(async (tx) => {
    const id = uuidv7();
    const rows = await tx
      .insert(supportTickets)
      .values({ id, ...request })
      .onConflictDoUpdate({
        target: supportTickets.customerId,
        targetWhere: ticketIsOpen,
        set: {
          requestCount: sql`${supportTickets.requestCount} + 1`,
          reason: sql`case when excluded.reason = 'complaint' then 'complaint' else ${supportTickets.reason} end`,
          productSku: sql`coalesce(${supportTickets.productSku}, excluded.product_sku)`,
          message: sql`coalesce(excluded.message, ${supportTickets.message})`,
          updatedAt: sql`now()`,
        },
      })
      .returning();
    const ticket = theRow(rows, "the help request's upsert");
    const merged = ticket.id !== id;
    const details = {
      reason: request.reason,
      source: request.source,
      ...(request.message ? { text: request.message } : {}),
    };
    await recordChange(
      tx,
      ticket,
      merged ? "support_request_merged" : "support_requested",
      { kind: "customer", id: request.customerId },
      details,
    );
    return { ticket, merged };
  });
}

/**
 * An agent takes a ticket: a queued one, or one auto-assigned to them and not yet accepted. The
 * agent's presence row is locked first, so their own concurrent accepts count capacity one at a
 * time; the ticket's conditional UPDATE makes sure that of two agents only one gets it.
 */
export async function acceptTicket(db: Database, agentId: string, ticketId: string): Promise<Ticket> {
  return db.transaction(async (tx) => {
    const [presence] = await tx.select().from(agentPresence).where(eq(agentPresence.staffId, agentId)).for("update");
    if (presence?.status !== "online") throw new SupportError("not_online", "Set yourself online to take tickets.");
    const heldRows = await tx
      .select({ held: sql<number>`count(*)::int` })
      .from(supportTickets)
      .where(
        and(
          eq(supportTickets.assignedAgentId, agentId),
          inArray(supportTickets.status, HELD_TICKET_STATUSES),
          sql`not (${supportTickets.id} = ${ticketId} and ${supportTickets.acceptedAt} is null)`,
        ),
      );
    const { held } = theRow(heldRows, "the held ticket count");
    if (held >= presence.capacity)
      throw new SupportError(
        "at_capacity",
        `You already hold ${held} tickets, your capacity. Resolve or release one first.`,
      );
    const [ticket] = await tx
      .update(supportTickets)
      .set({
        status: "assigned",
        assignedAgentId: agentId,
        assignedAt: sql`case when ${supportTickets.status} = 'queued' then now() else ${supportTickets.assignedAt} end`,
        acceptedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(supportTickets.id, ticketId),
          sql`(${supportTickets.status} = 'queued' or (${supportTickets.status} = 'assigned' and ${supportTickets.assignedAgentId} = ${agentId} and ${supportTickets.acceptedAt} is null))`,
        ),
      )
      .returning();
    if (!ticket) throw await explainRefusal(tx, ticketId, agentId);
    await tx
      .update(agentPresence)
      .set({ lastAssignedAt: sql`now()`, lastSeenAt: sql`now()` })
      .where(eq(agentPresence.staffId, agentId));
    // Both set from the same transaction's now() when the ticket came straight from the queue.
    const from = ticket.assignedAt?.getTime() === ticket.acceptedAt?.getTime() ? "queued" : "assigned";
    await recordChange(tx, ticket, "support_accepted", { kind: "agent", id: agentId }, {}, from);
    return ticket;
  });
}

async function explainRefusal(tx: Queryable, ticketId: string, agentId: string): Promise<SupportError> {
  const [ticket] = await tx.select().from(supportTickets).where(eq(supportTickets.id, ticketId));
  if (!ticket) return new SupportError("not_found", "There is no such ticket.");
  if (!isOpenTicketStatus(ticket.status)) return new SupportError("closed", `This ticket is already ${ticket.status}.`);
  if (ticket.assignedAgentId === agentId)
    return new SupportError("already_accepted", "You have already accepted this ticket.");
  return new SupportError("taken", "Another agent has taken this ticket.");
}

/** The ticket, if the agent holds it; throws the reason otherwise. */
export async function heldTicket(db: Queryable, agentId: string, ticketId: string): Promise<Ticket> {
  const [ticket] = await db.select().from(supportTickets).where(eq(supportTickets.id, ticketId));
  if (!ticket) throw new SupportError("not_found", "There is no such ticket.");
  if (ticket.assignedAgentId !== agentId) throw new SupportError("not_yours", "This ticket is not assigned to you.");
  if (!isOpenTicketStatus(ticket.status)) throw new SupportError("closed", `This ticket is already ${ticket.status}.`);
  return ticket;
}

/** Applies a change to a ticket the agent holds; explains a refusal. */
async function changeHeld(
  db: Database,
  agentId: string,
  ticketId: string,
  from: readonly TicketStatus[],
  set: PgUpdateSetSource<typeof supportTickets>,
  change: SupportChange,
): Promise<{ ticket: Ticket; changed: boolean }> {
  return db.transaction(async (tx) => {
    // Another change may land between the read and the update (the agent's arrival recorded by
    // the room while the console resolves): then read again and apply to what the ticket is now,
    // if this change still applies to it. Each statement sees the latest committed row.
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = await heldTicket(tx, agentId, ticketId);
      if (!from.includes(before.status)) return { ticket: before, changed: false };
      const [ticket] = await tx
        .update(supportTickets)
        .set({ ...set, updatedAt: sql`now()` })
        .where(
          and(
            eq(supportTickets.id, ticketId),
            eq(supportTickets.assignedAgentId, agentId),
            eq(supportTickets.status, before.status),
          ),
        )
        .returning();
      if (!ticket) continue;
      await recordChange(tx, ticket, change, { kind: "agent", id: agentId }, {}, before.status);
      return { ticket, changed: true };
    }
    return { ticket: await heldTicket(tx, agentId, ticketId), changed: false };
  });
}

/** The agent stands next to the customer: the wait is over. Joining again changes nothing. */
export async function agentArrived(
  db: Database,
  agentId: string,
  ticketId: string,
): Promise<{ ticket: Ticket; changed: boolean }> {
  const result = await changeHeld(
    db,
    agentId,
    ticketId,
    ["assigned"],
    {
      status: "agent_joined",
      acceptedAt: sql`coalesce(${supportTickets.acceptedAt}, now())`,
      agentJoinedAt: sql`coalesce(${supportTickets.agentJoinedAt}, now())`,
    },
    "support_agent_joined",
  );
  if (!result.changed && result.ticket.status !== "agent_joined")
    throw new SupportError("closed", "This ticket can no longer be joined.");
  return result;
}

/** A held ticket given back: queued again, keeping its place (the queue is ordered by created_at). */
const BACK_IN_QUEUE = {
  status: "queued",
  assignedAgentId: null,
  assignedAt: null,
  acceptedAt: null,
} satisfies PgUpdateSetSource<typeof supportTickets>;

/** The agent gives the ticket back to the queue, where it keeps its place (its age). */
export async function releaseTicket(db: Database, agentId: string, ticketId: string): Promise<Ticket> {
  const { ticket } = await changeHeld(db, agentId, ticketId, HELD_TICKET_STATUSES, BACK_IN_QUEUE, "support_released");
  return ticket;
}

export async function resolveTicket(db: Database, agentId: string, ticketId: string): Promise<Ticket> {
  const { ticket } = await changeHeld(
    db,
    agentId,
    ticketId,
    HELD_TICKET_STATUSES,
    { status: "resolved", resolvedAt: sql`now()`, closedAt: sql`now()` },
    "support_resolved",
  );
  return ticket;
}

/**
 * Moves each ticket read (and locked) by a sweep to its new state, conditionally on the status it
 * was read with, and records the change: the common tail of the sweeps below.
 */
async function moveEach(
  tx: Transaction,
  rows: ReadonlyArray<{ id: string; status: TicketStatus }>,
  set: PgUpdateSetSource<typeof supportTickets>,
  change: SupportChange,
  actor: Actor,
  payload: Record<string, unknown>,
): Promise<Ticket[]> {
  const tickets: Ticket[] = [];
  for (const { id, status } of rows) {
    const [ticket] = await tx
      .update(supportTickets)
      .set({ ...set, updatedAt: sql`now()` })
      .where(and(eq(supportTickets.id, id), eq(supportTickets.status, status)))
      .returning();
    if (!ticket) continue;
    await recordChange(tx, ticket, change, actor, payload, status);
    tickets.push(ticket);
  }
  return tickets;
}

/**
 * An agent who can no longer work (deactivated) gives back every ticket they hold: each returns to
 * the queue, keeping its place, recorded as released by the system with the reason.
 */
export async function releaseTicketsOfAgent(db: Database, agentId: string, reason: string): Promise<Ticket[]> {
  return db.transaction(async (tx) => {
    const held = await tx
      .select({ id: supportTickets.id, status: supportTickets.status })
      .from(supportTickets)
      .where(and(eq(supportTickets.assignedAgentId, agentId), inArray(supportTickets.status, HELD_TICKET_STATUSES)))
      .for("update");
    return moveEach(tx, held, BACK_IN_QUEUE, "support_released", SYSTEM, { agentId, reason });
  });
}

/**
 * Tickets an agent was helping with (`agent_joined`) whose console has not been heard from for
 * silentSeconds (browser closed, machine gone: the room is reached through the console, so the
 * agent has left the customer too) go back to the queue, recorded as released by the system.
 */
export async function returnTicketsOfSilentAgents(db: Database, silentSeconds: number): Promise<Ticket[]> {
  return db.transaction(async (tx) => {
    const silent = await tx.execute<{ id: string; status: TicketStatus; agent_id: string }>(sql`
      select t.id, t.status, t.assigned_agent_id as agent_id
      from support_tickets t join agent_presence p on p.staff_id = t.assigned_agent_id
      where t.status = 'agent_joined' and p.last_seen_at < now() - ${silentSeconds} * interval '1 second'
      for update of t skip locked`);
    const tickets: Ticket[] = [];
    // One at a time: each records its own agent.
    for (const row of silent.rows)
      tickets.push(
        ...(await moveEach(tx, [row], BACK_IN_QUEUE, "support_released", SYSTEM, {
          agentId: row.agent_id,
          reason: "agent_gone",
        })),
      );
    return tickets;
  });
}

/** The customer left the showroom: their open ticket there is abandoned. */
export async function abandonTickets(db: Database, customerId: string, showroomId: string): Promise<Ticket[]> {
  return db.transaction(async (tx) => {
    const before = await tx
      .select({ id: supportTickets.id, status: supportTickets.status })
      .from(supportTickets)
      .where(and(eq(supportTickets.customerId, customerId), eq(supportTickets.showroomId, showroomId), ticketIsOpen))
      .for("update");
    return moveEach(
      tx,
      before,
      { status: "abandoned", closedAt: sql`now()` },
      "support_abandoned",
      { kind: "customer", id: customerId },
      {},
    );
  });
}

/**
 * Open tickets whose customer is no longer in the showroom and has not come back within
 * graceSeconds (no visit there is open, and the last one ended longer ago) are abandoned by the
 * system. A server stop leaves tickets open, since the customer's browser joins the next process
 * as the same visitor; this closes the tickets of those who did not return. Rows another process
 * is already closing are skipped.
 */
export async function abandonTicketsOfDepartedCustomers(db: Database, graceSeconds: number): Promise<Ticket[]> {
  return db.transaction(async (tx) => {
    const candidates = await tx.execute<{ id: string; status: TicketStatus }>(sql`
      select t.id, t.status from support_tickets t
      where t.status in ${literalList(OPEN_TICKET_STATUSES)}
        and (select bool_and(v.ended_at is not null) and max(v.ended_at) < now() - ${graceSeconds} * interval '1 second'
             from visits v where v.customer_id = t.customer_id and v.showroom_id = t.showroom_id)
      for update of t skip locked`);
    return moveEach(tx, candidates.rows, { status: "abandoned", closedAt: sql`now()` }, "support_abandoned", SYSTEM, {
      reason: "customer_gone",
    });
  });
}

/**
 * Assignments with no agent next to the customer after the timeout go back to the queue; the
 * clock runs from the accept when there is one, so an offer accepted late still leaves the agent
 * the whole timeout to arrive. Rows
 * another process is already expiring are skipped, not waited for.
 */
export async function expireAssignments(db: Database, timeoutSeconds: number): Promise<Ticket[]> {
  return db.transaction(async (tx) => {
    const result = await tx.execute<{ id: string; previous_agent: string }>(sql`
      with expired as (
        select id, assigned_agent_id from support_tickets
        where status = 'assigned' and coalesce(accepted_at, assigned_at) < now() - make_interval(secs => ${timeoutSeconds})
        for update skip locked
      )
      update support_tickets t
      set status = 'queued', assigned_agent_id = null, assigned_at = null, accepted_at = null, updated_at = now()
      from expired where t.id = expired.id
      returning t.id, expired.assigned_agent_id as previous_agent`);
    if (result.rows.length === 0) return [];
    const tickets = await tx
      .select()
      .from(supportTickets)
      .where(
        inArray(
          supportTickets.id,
          result.rows.map((row) => row.id),
        ),
      );
    const previous = new Map(result.rows.map((row) => [row.id, row.previous_agent]));
    for (const ticket of tickets)
      await recordChange(
        tx,
        ticket,
        "support_assignment_expired",
        SYSTEM,
        { agentId: previous.get(ticket.id), timeoutSeconds },
        "assigned",
      );
    return tickets;
  });
}

/**
 * Auto-assign: the longest-waiting queued ticket goes to the eligible agent (online, console
 * alive, under capacity) who was assigned longest ago: round robin. Returns undefined when there
 * is no ticket or no agent to pair.
 */
export async function assignNext(db: Database, presenceTtlSeconds: number): Promise<Ticket | undefined> {
  return db.transaction(async (tx) => {
    const next = await tx.execute<{ id: string }>(sql`
      select id from support_tickets where status = 'queued'
      order by created_at, id limit 1 for update skip locked`);
    const ticketId = next.rows[0]?.id;
    if (!ticketId) return undefined;
    const agent = await tx.execute<{ staff_id: string }>(sql`
      select p.staff_id from agent_presence p
      join staff_accounts s on s.id = p.staff_id
      where p.status = 'online' and s.active and s.role = 'agent'
        and p.last_seen_at > now() - make_interval(secs => ${presenceTtlSeconds})
        and (select count(*) from support_tickets h
             where h.assigned_agent_id = p.staff_id and h.status in ${literalList(HELD_TICKET_STATUSES)}) < p.capacity
      order by p.last_assigned_at asc nulls first, p.staff_id
      limit 1 for update of p skip locked`);
    const agentId = agent.rows[0]?.staff_id;
    if (!agentId) return undefined;
    const assigned = await tx
      .update(supportTickets)
      .set({
        status: "assigned",
        assignedAgentId: agentId,
        assignedAt: sql`now()`,
        acceptedAt: null,
        updatedAt: sql`now()`,
      })
      .where(and(eq(supportTickets.id, ticketId), eq(supportTickets.status, "queued")))
      .returning();
    // The ticket was selected for update above, so it is still queued.
    const ticket = theRow(assigned, "the locked ticket's assignment");
    await tx.update(agentPresence).set({ lastAssignedAt: sql`now()` }).where(eq(agentPresence.staffId, agentId));
    await recordChange(tx, ticket, "support_assigned", SYSTEM, { agentId, auto: true }, "queued");
    return ticket;
  });
}

export async function recordCsat(
  db: Database,
  customerId: string,
  ticketId: string,
  score: number,
  comment: string | null,
): Promise<Ticket> {
  return db.transaction(async (tx) => {
    const [ticket] = await tx
      .update(supportTickets)
      .set({ csatScore: score, csatComment: comment, csatAt: sql`now()` })
      .where(
        and(
          eq(supportTickets.id, ticketId),
          eq(supportTickets.customerId, customerId),
          eq(supportTickets.status, "resolved"),
          isNull(supportTickets.csatScore),
        ),
      )
      .returning();
    if (!ticket) {
      const [existing] = await tx
        .select()
        .from(supportTickets)
        .where(and(eq(supportTickets.id, ticketId), eq(supportTickets.customerId, customerId)));
      if (!existing) throw new SupportError("not_found", "There is no such request of yours.");
      if (existing.status !== "resolved") throw new SupportError("not_resolved", "Your request is not resolved yet.");
      throw new SupportError("already_rated", "You have already rated this conversation. Thank you!");
    }
    await recordChange(
      tx,
      ticket,
      "support_csat",
      { kind: "customer", id: customerId },
      { score, ...(comment ? { comment } : {}) },
    );
    return ticket;
  });
}

export interface SupportMessage {
  id: string;
  ticketId: string;
  from: SupportParty;
  text: string;
  sentAt: Date;
}

/**
 * A private line between the agent holding a ticket and its customer, committed before anyone
 * sees it. The agent's first line stops the first-response clock.
 */
export async function recordMessage(
  db: Database,
  sender: Actor & { kind: SupportParty },
  ticketId: string,
  text: string,
  clientMessageId: string,
): Promise<{ message: SupportMessage; ticket: Ticket }> {
  return db.transaction(async (tx) => {
    const [ticket] = await tx.select().from(supportTickets).where(eq(supportTickets.id, ticketId));
    const allowed =
      ticket &&
      (sender.kind === "agent"
        ? ticket.assignedAgentId === sender.id && isHeldTicketStatus(ticket.status)
        : ticket.customerId === sender.id && isOpenTicketStatus(ticket.status));
    if (!ticket || !allowed)
      throw new SupportError(
        "not_yours",
        sender.kind === "agent" ? "You do not hold this ticket." : "You have no open request.",
      );
    const row = changeRow(ticket, "support_message", sender, { text, clientMessageId });
    await tx.insert(interactions).values(row);
    if (sender.kind === "agent" && !ticket.firstAgentMessageAt) {
      await tx
        .update(supportTickets)
        .set({ firstAgentMessageAt: sql`coalesce(${supportTickets.firstAgentMessageAt}, now())` })
        .where(eq(supportTickets.id, ticketId));
    }
    return { message: { id: row.id, ticketId, from: sender.kind, text, sentAt: row.occurredAt }, ticket };
  });
}
