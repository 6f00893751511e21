import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadShippingPolicy } from "../../../server/assistant/shipping";
import type { AssistantActions, QuoteItem, RequestOrigin, SupportReason } from "../../../server/assistant/types";

export const shipping = loadShippingPolicy();

export const visitor = {
  customerId: "0190b6a0-0000-7000-8000-000000000001",
  showroomId: "0190b6a0-0000-7000-8000-000000000002",
};

/** A model cache folder of its own, removed by the returned function. */
export function temporaryCacheDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "atrium-nlp-test-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export type Recorded =
  | { kind: "demo"; request: RequestOrigin & { productSku: string | null } }
  | { kind: "quote"; request: RequestOrigin & { items: QuoteItem[] } }
  | { kind: "support"; request: RequestOrigin & { productSku: string | null; reason: SupportReason } };

/** Actions that remember what they were asked to do, in memory. */
export function recordingActions(): AssistantActions & { recorded: Recorded[] } {
  const recorded: Recorded[] = [];
  return {
    recorded,
    requestDemo: async (request) => {
      recorded.push({ kind: "demo", request });
      return { id: `demo-${recorded.length}` };
    },
    requestQuote: async (request) => {
      recorded.push({ kind: "quote", request });
      return { id: `quote-${recorded.length}` };
    },
    requestSupport: async (request) => {
      recorded.push({ kind: "support", request });
      return { ticketId: `ticket-${recorded.length}` };
    },
  };
}
