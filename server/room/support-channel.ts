import { ServerError } from "@colyseus/core";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Catalog } from "../../db/catalog";
import { interactions, staffAccounts, supportTickets } from "../../db/schema";
import { POSE_STRIDE, productHolder, readAvatarPose, standingPose, yawOf } from "../../ecs";
import { JoinErrorCode } from "../../schema/errors";
import { TICKET_ID, type ClientMessages, type SupportTicketView } from "../../schema/messages";
import { activeAgent } from "../auth/staff";
import type { TokenClaims } from "../auth/tokens";
import type { VisitContext } from "../crm/interactions";
import {
  abandonTickets,
  agentArrived,
  heldTicket,
  recordCsat,
  recordMessage,
  requestHelp,
  SupportError,
  ticketIsOpen,
} from "../support/tickets";
import { queuePositions } from "../support/views";
import type { RoomServices } from "./services";
import type { RoomClient } from "./visitor";
import type { ShowroomSimulation } from "./simulation";

export type SupportMessageType = "support:request" | "support:say" | "support:csat";

/** How often a room reads its customers' tickets: changes made by any process reach them within this. */
const STATUS_POLL_MS = 1000;
/** A resolved request still invites a rating this long after. */
const CSAT_WINDOW_MINUTES = 30;
/** Where an arriving agent stands: this far from the customer, ahead of them and a little to the side. */
const ARRIVAL_DISTANCE = 1.6;
const ARRIVAL_ANGLES = [0.45, -0.45, 0, 1.2, -1.2, Math.PI];
const WALL_MARGIN = 0.5;

interface AgentArrival {
  agentId: string;
  ticketId: string;
  customerId: string;
}

/**
 * Live support inside one showroom room: customers' help requests, the agent's arrival next to
 * the customer (facing them), the private channel between the two, and the satisfaction rating.
 * The tickets live in Postgres; this class only relays, and reads back what other processes
 * (the consoles' API, the dispatcher) changed.
 */
export class SupportChannel {
  private readonly arrivals = new Map<string, AgentArrival>();
  private readonly lastStatus = new Map<string, string>();
  /**
   * Customers in this room with a ticket to follow. Only they are polled: a room full of
   * browsing customers costs no queries, and any new ticket of a customer here starts here
   * (Help button, the assistant) or is found when the customer joins.
   */
  private readonly watched = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private polling = false;
  private pollAgain = false;

  constructor(
    private readonly services: RoomServices,
    private readonly catalog: Catalog,
    private readonly sim: ShowroomSimulation,
    private readonly clients: () => Iterable<RoomClient>,
  ) {
    this.timer = setInterval(() => void this.pushStatuses(), STATUS_POLL_MS);
    this.timer.unref();
  }

  dispose(): void {
    clearInterval(this.timer);
  }

  /**
   * At the join: an agent must be an active agent account with a token made for this showroom; one
   * made for a ticket enters for that ticket only, which must still be theirs and in this showroom
   * (a join option ticketId, if given, must name it). Throws a 403 otherwise.
   */
  async authorize(client: Pick<RoomClient, "sessionId">, claims: TokenClaims, options: unknown): Promise<void> {
    if (claims.role !== "agent") return;
    const agent = await activeAgent(this.services.db, claims.sub);
    if (!agent)
      throw new ServerError(
        JoinErrorCode.Forbidden,
        "Cannot enter as an agent: this staff account is not an active agent.",
      );
    // An agent token is made for one showroom, and for one ticket or for walking the floor.
    if (claims.shw !== this.catalog.showroom.id) {
      throw new ServerError(
        JoinErrorCode.Forbidden,
        "Cannot enter as an agent: this token was not made for this showroom. Open the room from the console.",
      );
    }
    const asked = (options as { ticketId?: unknown } | undefined)?.ticketId;
    if (asked !== undefined && (typeof asked !== "string" || !TICKET_ID.test(asked)))
      throw new ServerError(JoinErrorCode.InvalidRequest, "Cannot enter: ticketId is not a ticket id.");
    if (asked !== undefined && asked !== claims.tid) {
      throw new ServerError(JoinErrorCode.Forbidden, "Cannot join for this ticket: this token was made for another.");
    }
    const ticketId = claims.tid;
    if (ticketId === undefined) return;
    try {
      const ticket = await heldTicket(this.services.db, agent.id, ticketId);
      if (ticket.showroomId !== this.catalog.showroom.id)
        throw new SupportError("not_yours", "this ticket is in another showroom");
      this.arrivals.set(client.sessionId, { agentId: agent.id, ticketId, customerId: ticket.customerId });
    } catch (error) {
      if (error instanceof SupportError)
        throw new ServerError(JoinErrorCode.Forbidden, `Cannot join for this ticket: ${error.message}`);
      throw error;
    }
  }

  /** onJoin, before the avatar exists: an agent arriving for a ticket stands next to its customer. */
  arrivalPose(sessionId: string): number[] | undefined {
    const arrival = this.arrivals.get(sessionId);
    const customer = arrival && this.customerClient(arrival.customerId);
    const eid = customer && this.sim.avatarOf(customer.sessionId);
    if (eid === undefined) return undefined;
    const pose = new Float64Array(POSE_STRIDE);
    readAvatarPose(this.sim.world, eid, pose);
    return placeFacing(pose[0]!, pose[2]!, yawOf(pose[3]!, pose[4]!, pose[5]!, pose[6]!), this.catalog.showroom.bounds);
  }

  /** onJoin, after the welcome: the agent's arrival ends the wait; a customer learns where their request stands. Never rejects. */
  async joined(client: RoomClient): Promise<void> {
    try {
      await this.arrive(client);
    } catch (error) {
      this.services.log(`[support] arrival of ${client.sessionId} not recorded: ${(error as Error).message}`);
    }
  }

  private async arrive(client: RoomClient): Promise<void> {
    const arrival = this.arrivals.get(client.sessionId);
    if (!arrival) {
      await this.pushStatuses([client]);
      return;
    }
    this.arrivals.delete(client.sessionId);
    try {
      await agentArrived(this.services.db, arrival.agentId, arrival.ticketId);
    } catch (error) {
      if (!(error instanceof SupportError)) throw error;
      client.send("support:refused", { type: "join", reason: error.message });
      return;
    }
    const customer = this.customerClient(arrival.customerId);
    if (customer)
      client.send("support:customer", {
        ticketId: arrival.ticketId,
        sessionId: customer.sessionId,
        name: customer.userData?.name || "Guest",
      });
    this.services.log(`[support] agent ${arrival.agentId} arrived for ticket ${arrival.ticketId}`);
    await this.pushStatuses();
  }

  /**
   * onLeave: a customer who leaves before being helped abandons their request. One whom the server
   * sent away because it is stopping did not choose to leave: the ticket stays open for their
   * browser to bring them back to the next process, and the dispatcher closes it if they don't.
   */
  left(client: RoomClient, serverStopping: boolean): void {
    this.arrivals.delete(client.sessionId);
    this.lastStatus.delete(client.sessionId);
    const visit = client.userData?.visit;
    if (!visit || this.customerClient(visit.customerId, client.sessionId)) return;
    this.watched.delete(visit.customerId);
    if (serverStopping) {
      this.services.log(
        `[support] the server is stopping: the open tickets of ${visit.customerId} stay open for their return`,
      );
      return;
    }
    abandonTickets(this.services.db, visit.customerId, visit.showroomId).then(
      (tickets) => tickets.forEach((t) => this.services.log(`[support] ticket ${t.id} abandoned: the customer left`)),
      (error: Error) =>
        this.services.log(`[support] could not abandon the tickets of ${visit.customerId}: ${error.message}`),
    );
  }

  /** A validated support message from the room's one door. */
  receive(client: RoomClient, type: SupportMessageType, message: ClientMessages[SupportMessageType]): void {
    const handled =
      type === "support:request"
        ? this.request(client, message as ClientMessages["support:request"])
        : type === "support:say"
          ? this.say(client, message as ClientMessages["support:say"])
          : this.rate(client, message as ClientMessages["support:csat"]);
    handled.catch((error: unknown) => {
      const known = error instanceof SupportError;
      if (!known) this.services.log(`[support] ${type} from ${client.sessionId} failed: ${(error as Error).message}`);
      client.send("support:refused", {
        type,
        reason: known ? error.message : "That could not be saved. Please try again.",
      });
    });
  }

  private async request(client: RoomClient, message: ClientMessages["support:request"]): Promise<void> {
    const visit = client.userData?.visit;
    if (!visit) throw new SupportError("not_yours", "Only customers ask for help here.");
    const { ticket, merged } = await requestHelp(this.services.db, {
      customerId: visit.customerId,
      showroomId: visit.showroomId,
      visitId: visit.visitId,
      productSku: await this.productOf(client.sessionId, visit, message.productSku),
      reason: "help_button",
      source: "help_button",
      message: message.message ?? null,
    });
    client.send("support:requested", { ticketId: ticket.id, merged });
    this.services.log(
      `[support] ${merged ? "merged a request into" : "opened"} ticket ${ticket.id} for customer ${visit.customerId}`,
    );
    this.watch(visit.customerId);
    await this.pushStatuses();
  }

  /** The product the request is about: the one named if it is here, else the one held, else the last one lingered at. */
  private async productOf(sessionId: string, visit: VisitContext, named: string | undefined): Promise<string | null> {
    if (named && this.sim.products.has(named)) return named;
    const avatar = this.sim.avatarOf(sessionId);
    for (const [sku, product] of this.sim.products) {
      if (avatar !== undefined && productHolder(this.sim.world, product)?.avatar === avatar) return sku;
    }
    const [dwell] = await this.services.db
      .select({ sku: interactions.productSku })
      .from(interactions)
      .where(and(eq(interactions.visitId, visit.visitId), eq(interactions.type, "product_dwell")))
      .orderBy(desc(interactions.occurredAt))
      .limit(1);
    return dwell?.sku ?? null;
  }

  private async say(client: RoomClient, message: ClientMessages["support:say"]): Promise<void> {
    const visitor = client.userData;
    if (!visitor) return;
    let ticketId = message.ticketId;
    if (visitor.claims.role === "agent") {
      if (!ticketId) throw new SupportError("not_found", "Say which ticket the line is for.");
    } else {
      const [open] = await this.services.db
        .select({ id: supportTickets.id })
        .from(supportTickets)
        .where(and(eq(supportTickets.customerId, visitor.claims.sub), ticketIsOpen));
      if (!open || (ticketId && ticketId !== open.id)) throw new SupportError("not_yours", "You have no open request.");
      ticketId = open.id;
    }
    const sender =
      visitor.claims.role === "agent"
        ? ({ kind: "agent", id: visitor.claims.sub } as const)
        : ({ kind: "customer", id: visitor.claims.sub } as const);
    const { message: line, ticket } = await recordMessage(
      this.services.db,
      sender,
      ticketId,
      message.text,
      message.clientMessageId,
    );
    client.send("support:say:ack", { clientMessageId: message.clientMessageId, id: line.id });
    const payload = {
      id: line.id,
      ticketId,
      from: line.from,
      name: visitor.name || (line.from === "agent" ? "Agent" : "Guest"),
      text: line.text,
      sentAt: line.sentAt.toISOString(),
    };
    for (const other of this.clients()) {
      const claims = other.userData?.claims;
      const party =
        claims && (claims.role === "agent" ? claims.sub === ticket.assignedAgentId : claims.sub === ticket.customerId);
      if (party) other.send("support:say", payload);
    }
  }

  private async rate(client: RoomClient, message: ClientMessages["support:csat"]): Promise<void> {
    const visit = client.userData?.visit;
    if (!visit) throw new SupportError("not_yours", "Only customers rate the help they got.");
    await recordCsat(this.services.db, visit.customerId, message.ticketId, message.score, message.comment ?? null);
    client.send("support:csat:ack", { ticketId: message.ticketId });
    await this.pushStatuses();
  }

  /** Sends each customer here where their request stands, when that changed since the last time. */
  /** A customer whose ticket this room should follow (a request made through the assistant, say). */
  watch(customerId: string): void {
    this.watched.add(customerId);
    void this.pushStatuses();
  }

  /** Reads the tickets of the watched customers (or of `only`) and tells each customer what changed. */
  private async pushStatuses(only?: RoomClient[]): Promise<void> {
    if (this.polling && !only) {
      // The read under way may predate the change that asked for this one.
      this.pollAgain = true;
      return;
    }
    if (!only) this.polling = true;
    try {
      const candidates =
        only ?? [...this.clients()].filter((c) => c.userData?.visit && this.watched.has(c.userData.visit.customerId));
      const customers = candidates.filter((c) => c.userData?.visit);
      if (customers.length === 0) return;
      const views = await this.ticketViews(customers.map((c) => c.userData!.visit!.customerId));
      const present = new Set(this.clients());
      for (const client of customers) {
        // Gone while the tickets were read: nothing to tell, nothing to remember.
        if (!present.has(client)) continue;
        const ticket = views.get(client.userData!.visit!.customerId) ?? null;
        if (ticket) this.watched.add(client.userData!.visit!.customerId);
        else this.watched.delete(client.userData!.visit!.customerId);
        const key = JSON.stringify(ticket);
        // A customer with nothing to show is told nothing until they have.
        if (
          this.lastStatus.get(client.sessionId) === key ||
          (ticket === null && !this.lastStatus.has(client.sessionId))
        )
          continue;
        this.lastStatus.set(client.sessionId, key);
        client.send("support:status", { ticket });
      }
    } catch (error) {
      this.services.log(`[support] could not read the tickets of room customers: ${(error as Error).message}`);
    } finally {
      if (!only) this.polling = false;
    }
    if (this.pollAgain && !this.polling) {
      this.pollAgain = false;
      await this.pushStatuses();
    }
  }

  private async ticketViews(customerIds: string[]): Promise<Map<string, SupportTicketView>> {
    const rows = await this.services.db
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
          eq(supportTickets.showroomId, this.catalog.showroom.id),
          sql`(${ticketIsOpen} or (${supportTickets.status} = 'resolved' and ${supportTickets.csatScore} is null and ${supportTickets.resolvedAt} > now() - make_interval(mins => ${CSAT_WINDOW_MINUTES})))`,
        ),
      )
      .orderBy(supportTickets.customerId, sql`${supportTickets.status} = 'resolved'`, desc(supportTickets.createdAt));
    const positions = await queuePositions(
      this.services.db,
      rows.filter((r) => r.status === "queued").map((r) => r.id),
    );
    const views = new Map<string, SupportTicketView>();
    for (const row of rows) {
      if (row.status === "abandoned") continue; // excluded by the query; narrows the type
      const agentHere = row.agentId
        ? [...this.clients()].find((c) => c.userData?.claims.role === "agent" && c.userData.claims.sub === row.agentId)
        : undefined;
      views.set(row.customerId, {
        ticketId: row.id,
        status: row.status,
        position: positions.get(row.id) ?? null,
        // Customers see the agent's display name, never the account or its email.
        agentName: row.status === "queued" ? null : row.agentName,
        agentSessionId: row.status === "agent_joined" && agentHere ? agentHere.sessionId : null,
        csatPending: row.status === "resolved" && row.csatScore === null,
      });
    }
    return views;
  }

  private customerClient(customerId: string, exceptSessionId?: string): RoomClient | undefined {
    for (const client of this.clients()) {
      if (client.sessionId !== exceptSessionId && client.userData?.visit?.customerId === customerId) return client;
    }
    return undefined;
  }
}

/**
 * A standing pose near (x, z), in front of someone facing `yaw` and turned toward them: the
 * first of a few spots around them that is inside the showroom.
 */
export function placeFacing(x: number, z: number, yaw: number, bounds: Catalog["showroom"]["bounds"]): number[] {
  const inside = (px: number, pz: number) =>
    px >= bounds.minX + WALL_MARGIN &&
    px <= bounds.maxX - WALL_MARGIN &&
    pz >= bounds.minZ + WALL_MARGIN &&
    pz <= bounds.maxZ - WALL_MARGIN;
  let spot: [number, number] = [x, z];
  for (const turn of ARRIVAL_ANGLES) {
    const heading = yaw + turn;
    const candidate: [number, number] = [
      x - Math.sin(heading) * ARRIVAL_DISTANCE,
      z - Math.cos(heading) * ARRIVAL_DISTANCE,
    ];
    if (inside(...candidate)) {
      spot = candidate;
      break;
    }
  }
  const [ax, az] = spot;
  return standingPose(ax, az, Math.atan2(-(x - ax), -(z - az)));
}
