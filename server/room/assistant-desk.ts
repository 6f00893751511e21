import type { Assistant } from "../assistant/assistant";
import type { ClientMessages, ServerMessages } from "../../schema/messages";
import { interaction, type VisitContext } from "../crm/interactions";
import type { CrmWriter } from "../crm/writer";
import type { RoomClient } from "./visitor";

/** The assistant's avatar in the state: a fixed id no client session can take. */
export const ASSISTANT_SESSION_ID = "assistant";

/**
 * Questions to the in-room assistant. Each exchange is committed to the CRM (question,
 * answer, intent, score, entities, locale) before the asker sees the reply.
 */
export class AssistantDesk {
  constructor(
    private readonly assistant: () => Promise<Assistant>,
    private readonly writer: CrmWriter,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Answers the asker alone. A question that could not be answered or saved is refused to its
   * asker, who can ask again; undefined then.
   */
  async answer(
    client: RoomClient,
    question: ClientMessages["ask"],
    nearProductSku: string | null,
  ): Promise<ServerMessages["assistant:reply"] | undefined> {
    const visitor = client.userData;
    if (!visitor) return undefined;
    try {
      const reply = await this.exchange(question, { visit: visitor.visit, nearProductSku });
      client.send("assistant:reply", reply);
      return reply;
    } catch (error) {
      this.log(`[room] assistant exchange for ${client.sessionId} not saved: ${(error as Error).message}`);
      client.send("chat:refused", {
        clientMessageId: question.clientMessageId,
        reason: "The assistant could not answer just now. Please ask again.",
      });
      return undefined;
    }
  }

  /** One exchange: the assistant's reply, committed with the question before it is returned. */
  async exchange(
    question: ClientMessages["ask"],
    asker: { visit: VisitContext | undefined; nearProductSku: string | null },
  ): Promise<ServerMessages["assistant:reply"]> {
    const visit = asker.visit;
    const reply = await (await this.assistant()).answer(question.text, {
      locale: question.locale,
      customerId: visit?.customerId ?? "",
      showroomId: visit?.showroomId ?? "",
      visitId: visit?.visitId ?? null,
      nearProductSku: asker.nearProductSku,
    });
    const row = visit
      ? interaction(
          visit,
          "assistant_exchange",
          {
            question: question.text,
            answer: reply.text,
            intent: reply.intent,
            score: reply.score,
            locale: reply.locale,
            entities: reply.entities,
            clarifying: reply.clarifying,
            action: reply.action ?? null,
          },
          { productSku: reply.entities.products[0] ?? asker.nearProductSku ?? undefined },
        )
      : undefined;
    if (row) await this.writer.commit([row]);
    this.log(`[assistant] ${reply.locale} "${reply.intent}" (${reply.score.toFixed(2)})`);
    return {
      clientMessageId: question.clientMessageId,
      id: row?.id ?? "",
      text: reply.text,
      intent: reply.intent,
      score: reply.score,
      locale: reply.locale,
      clarifying: reply.clarifying,
      ...(reply.action ? { action: reply.action } : {}),
    };
  }
}
