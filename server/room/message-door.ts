import {
  CLIENT_MESSAGE_ID,
  CLIENT_MESSAGE_TYPES,
  type ClientMessages,
  type ClientMessageType,
  validators,
} from "../../schema/messages";
import type { RoomClient } from "./visitor";

import { ShowroomCloseCode } from "../../schema/close-codes";

export { ShowroomCloseCode };

/** One handler per client message type, each given the message its validator accepted. */
export type MessageHandlers = {
  [K in ClientMessageType]: (client: RoomClient, message: ClientMessages[K]) => void;
};

/** What the door needs from the room: where handlers live, how to log, what time it is. */
export interface MessageDoorOptions {
  handlers: MessageHandlers;
  log: (line: string) => void;
  now?: () => number;
}

const TOO_FAST = "too many messages";

/**
 * The one door every client message passes: the client's rate for that type, then the type's
 * validator, then its handler. What is refused changes nothing: it is logged, answered (a flood
 * gets one answer a second, not one each) and counted against the client, and a client that keeps
 * sending what is refused is disconnected with no seat held for it.
 */
export class MessageDoor {
  private readonly handlers: MessageHandlers;
  private readonly log: (line: string) => void;
  private readonly now: () => number;

  constructor(options: MessageDoorOptions) {
    this.handlers = options.handlers;
    this.log = options.log;
    this.now = options.now ?? Date.now;
  }

  /** Every type the door has a handler for: the room registers one Colyseus listener each. */
  get types(): readonly ClientMessageType[] {
    return CLIENT_MESSAGE_TYPES;
  }

  receive<K extends ClientMessageType>(client: RoomClient, type: K, message: unknown): void {
    const visitor = client.userData;
    if (!visitor) return;
    if (!visitor.guard.allow(type, this.now())) {
      this.refuse(client, type, TOO_FAST, message);
      return;
    }
    const result = validators[type](message);
    if (!result.ok) {
      this.refuse(client, type, result.reason, message);
      return;
    }
    const handler: MessageHandlers[K] = this.handlers[type];
    handler(client, result.value);
  }

  /** A message of a type the showroom does not know is refused like a malformed one. */
  receiveUnknown(client: RoomClient, type: string | number): void {
    this.refuse(client, String(type).slice(0, 40), "unknown message type");
  }

  private refuse(client: RoomClient, type: string, reason: string, message?: unknown): void {
    const visitor = client.userData;
    if (!visitor) return;
    const now = this.now();
    const disconnect = visitor.guard.strike(now);
    this.log(`[room] refused ${JSON.stringify(type)} from ${client.sessionId}: ${reason}`);
    // A refused chat line is named, so the sender's page can mark that very line as not sent.
    const clientMessageId = (type === "chat" || type === "ask") && clientMessageIdOf(message);
    if (clientMessageId) {
      client.send("chat:refused", {
        clientMessageId,
        reason: reason === TOO_FAST ? "You are sending messages too fast. Wait a moment and send it again." : reason,
      });
    } else if (visitor.guard.shouldReport(now)) client.send("refused", { type, reason });
    if (disconnect) {
      this.log(`[room] disconnecting ${client.sessionId}: too many refused messages`);
      visitor.disconnectedByServer = true;
      client.leave(ShowroomCloseCode.TooManyInvalidMessages, "Too many invalid messages");
    }
  }
}

function clientMessageIdOf(message: unknown): string | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const id = (message as { clientMessageId?: unknown }).clientMessageId;
  return typeof id === "string" && CLIENT_MESSAGE_ID.test(id) ? id : undefined;
}
