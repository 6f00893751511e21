import type { SupportTicketView } from "../../schema/messages";
import type { SupportStore, TicketSummary } from "./support-store";
import type { RoomClient } from "./visitor";

/** How often a room reads its customers' tickets: changes made by any process reach them within this. */
export const STATUS_POLL_MS = 1000;

/** What the board needs: where tickets are read, which showroom, who is in the room. */
export interface SupportStatusOptions {
  store: Pick<SupportStore, "currentTickets">;
  showroomId: string;
  clients: () => Iterable<RoomClient>;
  log: (line: string) => void;
  pollMs?: number;
}

/**
 * Tells each customer in the room where their request stands (queued and where in the queue, an
 * agent on the way or here, a rating to give), whenever that changed, whichever process changed
 * it. Only customers with a ticket to follow are read: a room full of browsing customers costs no
 * queries, and any new ticket of a customer here starts here (Help button, the assistant) or is
 * found when the customer joins.
 */
export class SupportStatusBoard {
  private readonly watched = new Set<string>();
  /** What each session was last told, so an unchanged status is not sent again. */
  private readonly told = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  private polling = false;
  private pollAgain = false;

  constructor(private readonly options: SupportStatusOptions) {
    this.timer = setInterval(() => void this.refresh(), options.pollMs ?? STATUS_POLL_MS);
    this.timer.unref();
  }

  dispose(): void {
    clearInterval(this.timer);
  }

  /** A customer whose ticket this room should follow (a request made through the assistant, say). */
  watch(customerId: string): void {
    this.watched.add(customerId);
    void this.refresh();
  }

  /** The session left: what it was told is forgotten; the customer is no longer followed unless `stillHere`. */
  forget(sessionId: string, customerId: string | undefined, stillHere: boolean): void {
    this.told.delete(sessionId);
    if (customerId && !stillHere) this.watched.delete(customerId);
  }

  /** A customer who just joined learns where a request they made before stands. */
  tell(client: RoomClient): Promise<void> {
    return this.push([client]);
  }

  /** Reads the tickets of the watched customers and tells each what changed. Never rejects. */
  refresh(): Promise<void> {
    return this.push();
  }

  private async push(only?: RoomClient[]): Promise<void> {
    if (this.polling && !only) {
      // The read under way may predate the change that asked for this one.
      this.pollAgain = true;
      return;
    }
    if (!only) this.polling = true;
    try {
      const customers = customersAmong(
        only ??
          [...this.options.clients()].filter((c) => c.userData?.visit && this.watched.has(c.userData.visit.customerId)),
      );
      if (customers.length === 0) return;
      const tickets = await this.options.store.currentTickets(
        customers.map((c) => c.customerId),
        this.options.showroomId,
      );
      const present = new Set(this.options.clients());
      const byCustomer = new Map(tickets.map((ticket) => [ticket.customerId, this.viewOf(ticket, present)]));
      for (const { client, customerId } of customers) {
        // Gone while the tickets were read: nothing to tell, nothing to remember.
        if (!present.has(client)) continue;
        const ticket = byCustomer.get(customerId) ?? null;
        if (ticket) this.watched.add(customerId);
        else this.watched.delete(customerId);
        const key = JSON.stringify(ticket);
        // A customer with nothing to show is told nothing until they have.
        if (this.told.get(client.sessionId) === key || (ticket === null && !this.told.has(client.sessionId))) continue;
        this.told.set(client.sessionId, key);
        client.send("support:status", { ticket });
      }
    } catch (error) {
      this.options.log(`[support] could not read the tickets of room customers: ${(error as Error).message}`);
    } finally {
      if (!only) this.polling = false;
    }
    if (this.pollAgain && !this.polling) {
      this.pollAgain = false;
      await this.push();
    }
  }

  private viewOf(ticket: TicketSummary, present: ReadonlySet<RoomClient>): SupportTicketView {
    let agentHere: RoomClient | undefined;
    for (const client of present) {
      const claims = client.userData?.claims;
      if (ticket.agentId && claims?.role === "agent" && claims.sub === ticket.agentId) {
        agentHere = client;
        break;
      }
    }
    return {
      ticketId: ticket.id,
      status: ticket.status,
      position: ticket.position,
      // Customers see the agent's display name, never the account or its email.
      agentName: ticket.status === "queued" ? null : ticket.agentName,
      agentSessionId: ticket.status === "agent_joined" && agentHere ? agentHere.sessionId : null,
      csatPending: ticket.status === "resolved" && ticket.csatScore === null,
    };
  }
}

/** The customers among these clients, each with their customer id (staff have none). */
function customersAmong(clients: readonly RoomClient[]): { client: RoomClient; customerId: string }[] {
  const customers: { client: RoomClient; customerId: string }[] = [];
  for (const client of clients) {
    const customerId = client.userData?.visit?.customerId;
    if (customerId) customers.push({ client, customerId });
  }
  return customers;
}
