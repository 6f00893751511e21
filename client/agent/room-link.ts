import { Client, type Room } from "@colyseus/sdk";
import type { ServerMessages, SupportLine } from "../../schema/messages";
import type { RoomTokenResponse } from "../../schema/support";
import { ShowroomState } from "../../schema/state";

export interface RoomLinkEvents {
  line(line: SupportLine): void;
  customer(customer: ServerMessages["support:customer"]): void;
  refused(reason: string): void;
  state(state: ShowroomState): void;
  closed(): void;
}

/**
 * The agent in the showroom for one ticket: joins with the room token the console minted (the
 * server places the avatar beside the customer, facing them) and carries the private channel.
 */
export class RoomLink {
  private room: Room<unknown, ShowroomState> | null = null;
  private nextMessageId = 0;

  constructor(private readonly events: RoomLinkEvents) {}

  get sessionId(): string | null {
    return this.room?.sessionId ?? null;
  }

  async join(grant: RoomTokenResponse): Promise<void> {
    await this.leave();
    const client = new Client(location.origin);
    const room = await client.joinOrCreate<ShowroomState>(
      "showroom",
      { slug: grant.slug, token: grant.token, name: grant.name, role: "agent", ticketId: grant.ticketId },
      ShowroomState,
    );
    this.room = room;
    room.onStateChange((state) => this.events.state(state));
    room.onMessage("support:say", (line: SupportLine) => this.events.line(line));
    room.onMessage("support:customer", (customer: ServerMessages["support:customer"]) =>
      this.events.customer(customer),
    );
    room.onMessage("support:refused", (refusal: ServerMessages["support:refused"]) =>
      this.events.refused(refusal.reason),
    );
    room.onMessage("refused", (refusal: ServerMessages["refused"]) => this.events.refused(refusal.reason));
    room.onMessage("*", () => undefined);
    room.onLeave(() => {
      if (this.room === room) {
        this.room = null;
        this.events.closed();
      }
    });
  }

  say(ticketId: string, text: string): boolean {
    if (!this.room) return false;
    this.room.send("support:say", {
      ticketId,
      text,
      clientMessageId: `agent${Date.now().toString(36)}${(this.nextMessageId++).toString(36)}`,
    });
    return true;
  }

  async leave(): Promise<void> {
    const room = this.room;
    this.room = null;
    await room?.leave(true).catch(() => undefined);
  }
}
