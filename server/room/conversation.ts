import { ASSISTANT_MENTION, type ClientMessages } from "../../schema/messages";
import type { AssistantDesk } from "./assistant-desk";
import type { ChatRelay } from "./chat-relay";
import type { SupportStatusBoard } from "./support-status";
import type { RoomClient } from "./visitor";

/** The parts a visitor's words may go to. */
export interface ConversationParts {
  chat: Pick<ChatRelay, "say">;
  desk: Pick<AssistantDesk, "answer">;
  /** Follows a customer's request, telling them where it stands. */
  support: Pick<SupportStatusBoard, "watch">;
  /** The product the visitor stands at, which a question without a product name is about. */
  productNear: (sessionId: string) => string | null;
}

/**
 * Where a visitor's words go: a chat line addressed to the assistant ("@assistant …") is a
 * question, answered to its asker alone; any other line goes to the room. When the assistant
 * asked a person to help, the customer's support panel follows that request from then on.
 */
export class Conversation {
  constructor(private readonly parts: ConversationParts) {}

  chat(client: RoomClient, line: ClientMessages["chat"]): Promise<void> {
    if (!ASSISTANT_MENTION.test(line.text)) return this.parts.chat.say(client, line);
    const text = line.text.replace(ASSISTANT_MENTION, "");
    return this.ask(client, { text: text || line.text, clientMessageId: line.clientMessageId, locale: null });
  }

  async ask(client: RoomClient, question: ClientMessages["ask"]): Promise<void> {
    const reply = await this.parts.desk.answer(client, question, this.parts.productNear(client.sessionId));
    const visit = client.userData?.visit;
    if (reply?.action?.kind === "support_requested" && visit) this.parts.support.watch(visit.customerId);
  }
}
