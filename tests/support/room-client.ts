import type { ServerMessages } from "../../schema/messages";
import type { VisitContext } from "../../server/crm/interactions";
import { ClientGuard } from "../../server/room/client-guard";
import type { RoomClient, Visitor } from "../../server/room/visitor";

/** The visit a fake customer client is on unless a test gives another. */
export const VISIT: VisitContext = { customerId: "c-1", showroomId: "s-1", visitId: "v-1" };

/** One message the room sent to a client, typed by its message type. */
export type Sent = { [K in keyof ServerMessages]: { type: K; message: ServerMessages[K] } }[keyof ServerMessages];

/**
 * A room client without a socket, for the room's parts: what the room sent it and how it was let go.
 * A customer on `visit` by default; `null` makes a staff member (an agent) named `staffId`.
 */
export function fakeRoomClient(sessionId: string, visit: VisitContext | null = VISIT, staffId = "staff-1") {
  const sent: Sent[] = [];
  const left: { code: number | undefined; reason: string | undefined }[] = [];
  const visitor: Visitor = {
    claims: { sub: visit?.customerId ?? staffId, role: visit ? "customer" : "agent", exp: 0 },
    name: "Ada",
    guard: new ClientGuard(),
    visit: visit ?? undefined,
    disconnectedByServer: false,
  };
  const client: RoomClient = {
    sessionId,
    userData: visitor,
    send(type, message) {
      sent.push({ type, message } as Sent);
    },
    leave(code, reason) {
      left.push({ code, reason });
    },
  };
  return { client, sent, left, visitor };
}
