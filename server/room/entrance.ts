import { ServerError } from "@colyseus/core";
import type { Catalog } from "../../db/catalog";
import { JoinErrorCode } from "../../schema/errors";
import type { SupportParty } from "../../schema/roles";
import type { Admission, JoinRequest } from "./admission";
import { ClientGuard } from "./client-guard";
import type { VisitBook } from "./visit-book";
import type { RoomClient, Visitor } from "./visitor";

/** What the entrance asks of the room and of the other parts. */
export interface EntranceOptions {
  /** The showroom as its catalog stands now. */
  showroom: () => Pick<Catalog["showroom"], "id" | "slug" | "name" | "capacity">;
  /** Visitors in the room now, the assistant not counted. */
  visitorCount: () => number;
  /** An agent's right to enter (their account, their token's showroom and ticket); throws a 403 otherwise. */
  authorize: (client: RoomClient, claims: Admission["claims"], request: JoinRequest) => Promise<void>;
  /** Whether the customer may enter this showroom (its privacy notice accepted where it asks for that). */
  mayEnter: (customerId: string, showroomId: string) => Promise<boolean>;
  visits: Pick<VisitBook, "open" | "abandon">;
  /** Whether the client is still among the room's: a closing room lets its clients go while they enter. */
  stillHere: (sessionId: string) => boolean;
  roomId: string;
  log: (line: string) => void;
}

/** Who came in: their visitor (the client's userData from now on) and the side they are on. */
export interface Entered {
  visitor: Visitor;
  party: SupportParty;
}

/**
 * The room's door at the join, after admission: a seat under the capacity, an agent's right to
 * the ticket they come for, a customer's consent, and their CRM visit. Throws a ServerError the
 * client shows as it is; a visit opened for a client the room let go meanwhile is closed again.
 */
export class Entrance {
  constructor(private readonly options: EntranceOptions) {}

  async enter(client: RoomClient, admission: Admission, request: JoinRequest): Promise<Entered> {
    const { options } = this;
    const showroom = options.showroom();
    if (options.visitorCount() >= showroom.capacity) {
      throw new ServerError(
        JoinErrorCode.ShowroomFull,
        `The showroom "${showroom.name.en}" is full (${showroom.capacity} visitors). Please try again in a few minutes.`,
      );
    }
    await options.authorize(client, admission.claims, request);
    const visitor: Visitor = {
      claims: admission.claims,
      name: admission.name,
      guard: new ClientGuard(),
      visit: undefined,
      disconnectedByServer: false,
    };
    client.userData = visitor;
    if (admission.claims.role === "agent") return { visitor, party: "agent" };
    const customerId = admission.claims.sub;
    if (!(await options.mayEnter(customerId, showroom.id))) {
      throw new ServerError(
        JoinErrorCode.Forbidden,
        "This showroom asks you to accept its privacy notice first. Reload the page to see it.",
      );
    }
    const visit = await options.visits.open(customerId, options.roomId, visitor.name);
    if (!options.stillHere(client.sessionId)) {
      // The room let this client go while the visit was being opened (it is closing): its
      // onLeave has run without a visit to close, so it is closed here.
      options.visits.abandon(client.sessionId, visit);
      throw new ServerError(
        JoinErrorCode.RoomClosing,
        "The showroom closed while you were entering. Please try again.",
      );
    }
    visitor.visit = visit;
    options.log(`[room] ${client.sessionId} joined "${showroom.slug}" as customer ${visit.customerId}`);
    return { visitor, party: "customer" };
  }
}
