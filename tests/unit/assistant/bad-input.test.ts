import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Assistant } from "../../../server/assistant/assistant";
import { assistantCatalogFromFile } from "../../../server/assistant/catalog-file";
import { recordingActions, shipping, temporaryCacheDir, visitor } from "./fixtures";

const cache = temporaryCacheDir();
let assistant: Assistant;
let failing: Assistant;
const errors: unknown[] = [];

beforeAll(async () => {
  const catalog = assistantCatalogFromFile();
  assistant = await Assistant.create({ catalog, shipping, cacheDir: cache.dir, actions: recordingActions() });
  const broken = async (): Promise<never> => {
    throw new Error("database is down");
  };
  failing = await Assistant.create({
    catalog,
    shipping,
    cacheDir: cache.dir,
    actions: { requestDemo: broken, requestQuote: broken, requestSupport: broken },
    onError: (error) => errors.push(error),
  });
}, 60_000);
afterAll(() => cache.remove());

describe("bad input gets a polite answer and never an exception", () => {
  const inputs: [string, string][] = [
    ["empty", ""],
    ["whitespace", "   \n\t  "],
    ["10 KB of text", "how much is the sofa ".repeat(512)],
    ["10 KB of Chinese", "沙发".repeat(5120)],
    ["mixed scripts", "hello 你好 how much 多少钱 Привет مرحبا"],
    ["emoji only", "🛋️🛋️😀👍"],
    ["emoji with words", "how much is the Oslo Sofa 🛋️?"],
    ["control characters", "\u0000\u0007\u001b[31mprice\u0000"],
    ["punctuation", "?!?!...,,,"],
  ];
  for (const [name, text] of inputs) {
    it(`answers ${name}`, async () => {
      const reply = await assistant.answer(text, visitor);
      expect(reply.text.length).toBeGreaterThan(10);
      expect(reply.text.length).toBeLessThan(400);
      expect(["en", "zh"]).toContain(reply.locale);
      expect(reply.action === undefined || reply.intent !== "none").toBe(true);
    });
  }

  it("asks for a shorter message when the text is too long", async () => {
    const reply = await assistant.answer("x".repeat(10_240), visitor);
    expect(reply).toMatchObject({ intent: "none", clarifying: true });
  });

  it("apologises when recording a request fails, and reports the error", async () => {
    const reply = await failing.answer("can I talk to a real person?", visitor);
    expect(reply.text).toMatch(/couldn't record/);
    expect(reply.action).toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
