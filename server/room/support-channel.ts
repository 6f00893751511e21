import { ServerError } from "@colyseus/core";
import type { Catalog } from "../../db/catalog";
import { POSE_STRIDE, productHolder, readAvatarPose, standingPose, yawOf } from "../../ecs";
import { JoinErrorCode } from "../../schema/errors";
import { TICKET_ID, type ClientMessages } from "../../schema/messages";
import type { TokenClaims } from "../auth/tokens";
import type { VisitContext } from "../crm/interactions";
import { SupportError } from "../support/tickets";
import type { ShowroomSimulation } from "./simulation";
import type { SupportStatusBoard } from "./support-status";
import type { SupportStore } from "./support-store";
import type { RoomClient } from "./visitor";

export type SupportMessageType = "support:request" | "support:say" | "support:csat";

type SupportHandlers = {
  [K in SupportMessageType]: (client: RoomClient, message: ClientMessages[K]) => Promise<void>;
};

/** Where an arriving agent stands: this far from the customer, ahead of them and a little to the side. */
const ARRIVAL_DISTANCE = 1.6;
const ARRIVAL_ANGLES = [0.45, -0.45, 0, 1.2, -1.2, Math.PI];
const WALL_MARGIN = 0.5;

interface AgentArrival {
  agentId: string;
  ticketId: string;
  customerId: string;
}

/** What live support in a room works with. */
export interface SupportChannelOptions {
  store: SupportStore;
  /** Tells customers where their requests stand. */
  statuses: Pick<SupportStatusBoard, "watch" | "tell" | "refresh" | "forget">;
  catalog: Catalog;
  sim: ShowroomSimulation;
  clients: () => Iterable<RoomClient>;
  log: (line: string) => void;
}

/**
 * Live support inside one showroom room: who may enter as an agent, the agent's arrival next to
 * the customer (facing them), customers' help requests, the private channel between the two, the
 * satisfaction rating, and a customer's requests abandoned when they leave. The tickets live in
 * Postgres (`SupportStore`); this class decides, and the status board tells customers what changed.
 */
export class SupportChannel {
  private readonly arrivals = new Map<string, AgentArrival>();
  private readonly handlers: SupportHandlers = {
    "support:request": (client, message) => this.request(client, message),
    "support:say": (client, message) => this.say(client, message),
    "support:csat": (client, message) => this.rate(client, message),
  };
  private readonly store: SupportStore;
  private readonly statuses: SupportChannelOptions["statuses"];
  private readonly catalog: Catalog;
  private readonly sim: ShowroomSimulation;
  private readonly clients: () => Iterable<RoomClient>;
  private readonly log: (line: string) => void;

  constructor(options: SupportChannelOptions) {
    this.store = options.store;
    this.statuses = options.statuses;
    this.catalog = options.catalog;
    this.sim = options.sim;
    this.clients = options.clients;
    this.log = options.log;
  }

  /**
   * At the join: an agent must be an active agent account with a token made for this showroom; one
   * made for a ticket enters for that ticket only, which must still be theirs and in this showroom
   * (a join option ticketId, if given, must name it). Throws a 403 otherwise.
   */
  async authorize(
    client: Pick<RoomClient, "sessionId">,
    claims: TokenClaims,
    request: { ticketId?: unknown } | undefined,
  ): Promise<void> {
    if (claims.role !== "agent") return;
    const agent = await this.store.activeAgent(claims.sub);
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
    const asked = request?.ticketId;
    if (asked !== undefined && (typeof asked !== "string" || !TICKET_ID.test(asked)))
      throw new ServerError(JoinErrorCode.InvalidRequest, "Cannot enter: ticketId is not a ticket id.");
    if (asked !== undefined && asked !== claims.tid) {
      throw new ServerError(JoinErrorCode.Forbidden, "Cannot join for this ticket: this token was made for another.");
    }
    const ticketId = claims.tid;
    if (ticketId === undefined) return;
    try {
      const ticket = await this.store.heldTicket(agent.id, ticketId);
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
      this.log(`[support] arrival of ${client.sessionId} not recorded: ${(error as Error).message}`);
    }
  }

  private async arrive(client: RoomClient): Promise<void> {
    const arrival = this.arrivals.get(client.sessionId);
    if (!arrival) {
      await this.statuses.tell(client);
      return;
    }
    this.arrivals.delete(client.sessionId);
    try {
      await this.store.agentArrived(arrival.agentId, arrival.ticketId);
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
    this.log(`[support] agent ${arrival.agentId} arrived for ticket ${arrival.ticketId}`);
    await this.statuses.refresh();
  }

  /**
   * onLeave: a customer who leaves before being helped abandons their request. One whom the server
   * sent away because it is stopping did not choose to leave: the ticket stays open for their
   * browser to bring them back to the next process, and the dispatcher closes it if they don't.
   * Resolves once the abandonment is saved (or could not be); never rejects.
   */
  async left(client: RoomClient, serverStopping: boolean): Promise<void> {
    this.arrivals.delete(client.sessionId);
    const visit = client.userData?.visit;
    const stillHere = !!visit && this.customerClient(visit.customerId, client.sessionId) !== undefined;
    this.statuses.forget(client.sessionId, visit?.customerId, stillHere);
    if (!visit || stillHere) return;
    if (serverStopping) {
      this.log(`[support] the server is stopping: the open tickets of ${visit.customerId} stay open for their return`);
      return;
    }
    try {
      for (const id of await this.store.abandon(visit.customerId, visit.showroomId))
        this.log(`[support] ticket ${id} abandoned: the customer left`);
    } catch (error) {
      this.log(`[support] could not abandon the tickets of ${visit.customerId}: ${(error as Error).message}`);
    }
  }

  /** A validated support message from the room's one door. A refusal is answered to its sender. */
  receive<K extends SupportMessageType>(client: RoomClient, type: K, message: ClientMessages[K]): Promise<void> {
    const handler: SupportHandlers[K] = this.handlers[type];
    return handler(client, message).catch((error: unknown) => {
      const known = error instanceof SupportError;
      if (!known) this.log(`[support] ${type} from ${client.sessionId} failed: ${(error as Error).message}`);
      client.send("support:refused", {
        type,
        reason: known ? error.message : "That could not be saved. Please try again.",
      });
    });
  }

  private async request(client: RoomClient, message: ClientMessages["support:request"]): Promise<void> {
    const visit = client.userData?.visit;
    if (!visit) throw new SupportError("not_yours", "Only customers ask for help here.");
    const { ticketId, merged } = await this.store.requestHelp({
      customerId: visit.customerId,
      showroomId: visit.showroomId,
      visitId: visit.visitId,
      productSku: await this.productOf(client.sessionId, visit, message.productSku),
      reason: "help_button",
      source: "help_button",
      message: message.message ?? null,
    });
    client.send("support:requested", { ticketId, merged });
    this.log(
      `[support] ${merged ? "merged a request into" : "opened"} ticket ${ticketId} for customer ${visit.customerId}`,
    );
    this.statuses.watch(visit.customerId);
    await this.statuses.refresh();
  }

  /** The product the request is about: the one named if it is here, else the one held, else the last one lingered at. */
  private async productOf(sessionId: string, visit: VisitContext, named: string | undefined): Promise<string | null> {
    if (named && this.sim.products.has(named)) return named;
    const avatar = this.sim.avatarOf(sessionId);
    for (const [sku, product] of this.sim.products) {
      if (avatar !== undefined && productHolder(this.sim.world, product)?.avatar === avatar) return sku;
    }
    return this.store.lastDwelledSku(visit.visitId);
  }

  private async say(client: RoomClient, message: ClientMessages["support:say"]): Promise<void> {
    const visitor = client.userData;
    if (!visitor) return;
    let ticketId = message.ticketId;
    if (visitor.claims.role === "agent") {
      if (!ticketId) throw new SupportError("not_found", "Say which ticket the line is for.");
    } else {
      const open = await this.store.openTicketOf(visitor.claims.sub);
      if (!open || (ticketId && ticketId !== open)) throw new SupportError("not_yours", "You have no open request.");
      ticketId = open;
    }
    const sender = { kind: visitor.claims.role === "agent" ? "agent" : "customer", id: visitor.claims.sub } as const;
    const { message: line, ticket } = await this.store.recordMessage(
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
    await this.store.recordCsat(visit.customerId, message.ticketId, message.score, message.comment ?? null);
    client.send("support:csat:ack", { ticketId: message.ticketId });
    await this.statuses.refresh();
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
