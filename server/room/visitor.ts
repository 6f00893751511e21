import type { ServerMessages } from "../../schema/messages";
import type { TokenClaims } from "../auth/tokens";
import type { VisitContext } from "../crm/interactions";
import type { ClientGuard } from "./client-guard";

/** Who a room's client is: decided when they are admitted, kept on the client as its userData. */
export interface Visitor {
  claims: TokenClaims;
  name: string;
  guard: ClientGuard;
  /** Undefined for staff: only customers have a CRM visit. */
  visit: VisitContext | undefined;
  /** Set when the server cut the client off: no seat is held for its return. */
  disconnectedByServer: boolean;
}

/**
 * What the room's parts need of a connected client. Colyseus's client satisfies it; a unit
 * test's plain object does too, so every part can be tested without a socket.
 */
export interface RoomClient {
  readonly sessionId: string;
  userData?: Visitor | undefined;
  send<K extends keyof ServerMessages>(type: K, message: ServerMessages[K]): void;
  leave(code?: number, reason?: string): void;
}
