import type { Assistant } from "../assistant/assistant";
import type { ClientMessages, ServerMessages } from "../../schema/messages";
import { interaction, type VisitContext } from "../crm/interactions";
import type { CrmWriter } from "../crm/writer";

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

  async ask(
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
