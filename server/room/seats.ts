import type { EventEmitter } from "node:events";
import { CloseCode } from "@colyseus/core";
import { ShowroomCloseCode } from "./message-door";
import type { RoomClient, Visitor } from "./visitor";

/**
 * Close codes of a connection the server (or its transport) cut: a protocol error, a frame over
 * the size cap, a flood of frames, too many refused messages, a seat taken over by another tab.
 * Such a client gets no seat held; only a connection lost on the way (the network, a closed
 * laptop, a reload) does.
 */
const SERVER_CUT_CODES: ReadonlySet<number> = new Set([
  1002, // protocol error
  1003, // unsupported data
  1007, // invalid frame payload
  1008, // policy violation
  1009, // frame too big (the transport's maxPayload)
  CloseCode.WITH_ERROR, // Colyseus: too many frames a second, or a failure handling the client
  ShowroomCloseCode.TooManyInvalidMessages,
  ShowroomCloseCode.SeatTakenOver,
  ShowroomCloseCode.Erased,
]);

/** Whether a dropped client's seat is held for its return. */
export function holdsSeat(code: number | undefined, cutByServer: boolean): boolean {
  return !cutByServer && !(code !== undefined && SERVER_CUT_CODES.has(code));
}

/**
 * A connection the transport cuts for a protocol error (a frame over the size cap, a malformed
 * frame) closes like a lost one (1006): its error, which comes first, marks it cut by the server.
 */
export function watchTransport(client: { readonly ref: EventEmitter; readonly userData?: Visitor | undefined }): void {
  client.ref.once("error", () => {
    if (client.userData) client.userData.disconnectedByServer = true;
  });
}

/** What the room can do with a held seat's pending reconnection: end it. */
export interface PendingReconnection {
  reject(reason?: unknown): void;
}

/**
 * One seat per customer per showroom. A customer who opens the showroom again (a second tab, another
 * device, a reload after a drop) takes their seat over: the older connection is told why and let go,
 * and a seat held for a dropped connection of theirs is given up, so one guest token never holds
 * more than one place.
 */
export class SeatBook {
  private readonly held = new Map<string, { customerId: string; reconnection: PendingReconnection }>();

  /** A customer's dropped connection: its seat is kept until it returns or the wait ends. */
  hold(sessionId: string, customerId: string, reconnection: PendingReconnection): void {
    this.held.set(sessionId, { customerId, reconnection });
  }

  /** The seat is no longer held: the visitor came back or left for good. */
  release(sessionId: string): void {
    this.held.delete(sessionId);
  }

  /**
   * The customer's other seats, connected or held, are let go for `newcomer`; returns how many.
   * The connected ones are closed with SeatTakenOver and hold no seat for their return.
   */
  takeOver(customerId: string, newcomer: string, clients: Iterable<RoomClient>): number {
    let taken = 0;
    for (const client of clients) {
      const visitor = client.userData;
      if (client.sessionId === newcomer || !visitor || visitor.claims.sub !== customerId) continue;
      visitor.disconnectedByServer = true;
      client.leave(ShowroomCloseCode.SeatTakenOver, "You opened this showroom in another tab or window.");
      taken++;
    }
    for (const [sessionId, seat] of this.held) {
      if (seat.customerId !== customerId || sessionId === newcomer) continue;
      this.held.delete(sessionId);
      seat.reconnection.reject(new Error("seat taken over"));
      taken++;
    }
    return taken;
  }
}
