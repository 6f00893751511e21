import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { interactions, staffAccounts, supportTickets } from "../../db/schema";
import type { SupportTicketView } from "../../schema/messages";
import type { SupportParty } from "../../schema/roles";
import { activeAgent } from "../auth/staff";
import {
  abandonTickets,
  agentArrived,
  type HelpRequest,
  heldTicket,
  recordCsat,
  recordMessage,
  requestHelp,
  type SupportMessage,
  ticketIsOpen,
} from "../support/tickets";
import { queuePositions } from "../support/views";

/** A resolved request still invites a rating this long after. */
const CSAT_WINDOW_MINUTES = 30;

/** A customer's current ticket in a showroom, as the room reads it to tell the customer where it stands. */
export interface TicketSummary {
  id: string;
  customerId: string;
  status: SupportTicketView["status"];
  agentId: string | null;
  agentName: string | null;
  csatScore: number | null;
  /** In the queue: 1 when next; null once an agent has it. */
  position: number | null;
}

/** Who a ticket is between. */
export interface TicketParties {
  customerId: string;
  assignedAgentId: string | null;
}

/**
 * What live support in a room reads and changes in Postgres. Every change is the ticket store's
 * (server/support/tickets.ts) and refuses with a SupportError; a unit test passes a fake.
 */
export interface SupportStore {
  /** The staff account, when it is an active agent. */
  activeAgent(staffId: string): Promise<{ id: string } | undefined>;
  /** An open ticket the agent holds; a SupportError otherwise. */
  heldTicket(agentId: string, ticketId: string): Promise<TicketParties & { showroomId: string }>;
  agentArrived(agentId: string, ticketId: string): Promise<void>;
  /** The customer's open tickets in the showroom, abandoned; returns their ids. */
  abandon(customerId: string, showroomId: string): Promise<string[]>;
  requestHelp(request: HelpRequest): Promise<{ ticketId: string; merged: boolean }>;
  /** The id of the customer's open ticket, if any. */
  openTicketOf(customerId: string): Promise<string | undefined>;
  /** The product the visit last lingered at. */
  lastDwelledSku(visitId: string): Promise<string | null>;
  recordMessage(
    sender: { kind: SupportParty; id: string },
    ticketId: string,
    text: string,
    clientMessageId: string,
  ): Promise<{ message: SupportMessage; ticket: TicketParties }>;
  recordCsat(customerId: string, ticketId: string, score: number, comment: string | null): Promise<void>;
  /** Each customer's newest open ticket in the showroom, or one resolved lately and not yet rated. */
  currentTickets(customerIds: readonly string[], showroomId: string): Promise<TicketSummary[]>;
}

export function databaseSupportStore(db: Database): SupportStore {
  return {
    activeAgent: (staffId) => activeAgent(db, staffId),
    heldTicket: (agentId, ticketId) => heldTicket(db, agentId, ticketId),
    async agentArrived(agentId, ticketId) {
      await agentArrived(db, agentId, ticketId);
    },
    async abandon(customerId, showroomId) {
      return (await abandonTickets(db, customerId, showroomId)).map((ticket) => ticket.id);
    },
    async requestHelp(request) {
      const { ticket, merged } = await requestHelp(db, request);
      return { ticketId: ticket.id, merged };
    },
    async openTicketOf(customerId) {
      const [open] = await db
        .select({ id: supportTickets.id })
        .from(supportTickets)
        .where(and(eq(supportTickets.customerId, customerId), ticketIsOpen));
      return open?.id;
    },
    async lastDwelledSku(visitId) {
      const [dwell] = await db
        .select({ sku: interactions.productSku })
        .from(interactions)
        .where(and(eq(interactions.visitId, visitId), eq(interactions.type, "product_dwell")))
        .orderBy(desc(interactions.occurredAt))
        .limit(1);
      return dwell?.sku ?? null;
    },
    recordMessage: (sender, ticketId, text, clientMessageId) =>
      recordMessage(db, sender, ticketId, text, clientMessageId),
    async recordCsat(customerId, ticketId, score, comment) {
      await recordCsat(db, customerId, ticketId, score, comment);
    },
    currentTickets: (customerIds, showroomId) => currentTickets(db, customerIds, showroomId),
  };
}

async function currentTickets(
  db: Database,
  customerIds: readonly string[],
  showroomId: string,
): Promise<TicketSummary[]> {
  const rows = await db
    .selectDistinctOn([supportTickets.customerId], {
      id: supportTickets.id,
      customerId: supportTickets.customerId,
      status: supportTickets.status,
      agentId: supportTickets.assignedAgentId,
      agentName: staffAccounts.displayName,
      csatScore: supportTickets.csatScore,
    })
    .from(supportTickets)
    .leftJoin(staffAccounts, eq(staffAccounts.id, supportTickets.assignedAgentId))
    .where(
      and(
        sql`${supportTickets.customerId} in (${sql.join(
          customerIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
        eq(supportTickets.showroomId, showroomId),
        sql`(${ticketIsOpen} or (${supportTickets.status} = 'resolved' and ${supportTickets.csatScore} is null and ${supportTickets.resolvedAt} > now() - make_interval(mins => ${CSAT_WINDOW_MINUTES})))`,
      ),
    )
    .orderBy(supportTickets.customerId, sql`${supportTickets.status} = 'resolved'`, desc(supportTickets.createdAt));
  const positions = await queuePositions(
    db,
    rows.filter((r) => r.status === "queued").map((r) => r.id),
  );
  const summaries: TicketSummary[] = [];
  for (const row of rows) {
    if (row.status === "abandoned") continue; // excluded by the query; narrows the type
    summaries.push({ ...row, status: row.status, position: positions.get(row.id) ?? null });
  }
  return summaries;
}
