import { uuidv7 } from "uuidv7";
import type { Role } from "../../ecs/types";
import type { ChatLine, ClientMessages } from "../../schema/messages";
import { interaction } from "../crm/interactions";
import type { CrmWriter } from "../crm/writer";
import type { RoomClient } from "./visitor";

/** Who is speaking, as the room's state shows them. */
export interface Speaker {
  name: string;
  role: Role;
}

/**
 * The room's chat. A customer's line is committed to the CRM before it is acknowledged and shown
 * to the room, so no line anybody saw is missing from the CRM; a line that cannot be saved is
 * refused to its sender, who can send it again. Staff lines are shown, not recorded.
 */
export class ChatRelay {
  constructor(
    private readonly writer: Pick<CrmWriter, "commit">,
    private readonly broadcast: (line: ChatLine) => void,
    private readonly speakerOf: (sessionId: string) => Speaker | undefined,
    private readonly log: (line: string) => void,
  ) {}

  async say(client: RoomClient, message: ClientMessages["chat"]): Promise<void> {
    const visitor = client.userData;
    const speaker = this.speakerOf(client.sessionId);
    if (!visitor || !speaker) return;
    const sentAt = new Date();
    const row =
      visitor.visit &&
      interaction(
        visitor.visit,
        "chat",
        { text: message.text, clientMessageId: message.clientMessageId, sessionId: client.sessionId },
        { occurredAt: sentAt },
      );
    const id = row?.id ?? uuidv7();
    if (row) {
      try {
        await this.writer.commit([row]);
      } catch (error) {
        this.log(`[room] chat from ${client.sessionId} not saved: ${(error as Error).message}`);
        client.send("chat:refused", {
          clientMessageId: message.clientMessageId,
          reason: "The message could not be saved. Please send it again.",
        });
        return;
      }
    }
    client.send("chat:ack", { clientMessageId: message.clientMessageId, id });
    this.broadcast({
      id,
      sessionId: client.sessionId,
      name: speaker.name,
      role: speaker.role,
      text: message.text,
      sentAt: sentAt.toISOString(),
    });
  }
}
