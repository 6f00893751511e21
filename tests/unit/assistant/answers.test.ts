import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Assistant } from "../../../server/assistant/assistant";
import { assistantCatalogFromFile } from "../../../server/assistant/catalog-file";
import { recordingActions, shipping, temporaryCacheDir, visitor } from "./fixtures";

const cache = temporaryCacheDir();
const actions = recordingActions();
let assistant: Assistant;

beforeAll(async () => {
  assistant = await Assistant.create({ catalog: assistantCatalogFromFile(), shipping, cacheDir: cache.dir, actions });
}, 60_000);
afterAll(() => cache.remove());

const ask = (text: string, extra: { nearProductSku?: string; locale?: "en" | "zh" } = {}) =>
  assistant.answer(text, { ...visitor, ...extra });

describe("answers come from the catalog, in the visitor's language", () => {
  it("tells the price formatted for the language", async () => {
    const en = await ask("how much is the Oslo sofa?");
    expect(en).toMatchObject({ intent: "ask_price", locale: "en", entities: { products: ["SOFA-OSLO-3"] } });
    expect(en.text).toContain("$1,299.00");
    const zh = await ask("奥斯陆沙发多少钱");
    expect(zh).toMatchObject({ intent: "ask_price", locale: "zh" });
    expect(zh.text).toContain("US$1,299.00");
    expect(zh.text).toContain("奥斯陆沙发");
  });

  it("answers stock and lead time, including when sold out", async () => {
    expect((await ask("奥斯陆沙发有货吗")).text).toMatch(/14.*10天/);
    const soldOut = await ask("is the Luna Armchair in stock?");
    expect(soldOut.intent).toBe("ask_availability");
    expect(soldOut.text).toMatch(/out of stock.*28 days/);
  });

  it("describes a product with its dimensions, colours and description", async () => {
    const en = await ask("tell me about the Halo lamp");
    expect(en.text).toContain("40 × 170 × 40 cm");
    expect(en.text).toContain("brass and black");
    expect(en.text).toContain("2700 K");
    const zh = await ask("介绍一下光环落地灯");
    expect(zh.text).toContain("黄铜色、黑色");
    expect(zh.text).toContain("高170");
  });

  it("compares two products with their prices and the difference", async () => {
    const reply = await ask("compare the Oslo Sofa and the Luna chair");
    expect(reply.intent).toBe("compare_products");
    expect(reply.text).toContain("$1,299.00");
    expect(reply.text).toContain("$549.00");
    expect(reply.text).toContain("$750.00 cheaper");
  });

  it("quotes the configured shipping policy", async () => {
    const reply = await ask("运费多少");
    expect(reply.intent).toBe("ask_shipping");
    expect(reply.text).toContain("US$49.00");
    expect(reply.text).toContain("US$1,000.00");
    expect(reply.text).toContain("30天");
  });

  it("resolves 'this' to the product the visitor stands at", async () => {
    const reply = await ask("how much is this?", { nearProductSku: "LAMP-HALO" });
    expect(reply.text).toContain("$189.00");
    const unknown = await ask("how much is this?");
    expect(unknown.clarifying).toBe(true);
  });

  it("asks which one when a category word fits several products", async () => {
    const reply = await ask("where is the chair");
    expect(reply.clarifying).toBe(true);
    expect(reply.text).toContain("Luna Armchair");
    expect(reply.text).toContain("Mika Dining Chair");
  });

  it("asks back rather than guessing when unsure, and then does nothing", async () => {
    const cautious = await Assistant.create({
      catalog: assistantCatalogFromFile(),
      shipping,
      cacheDir: cache.dir,
      actions,
      confidenceThreshold: 1.01,
    });
    const before = actions.recorded.length;
    const reply = await cautious.answer("can I talk to a real person?", visitor);
    expect(reply).toMatchObject({ intent: "ask_human_agent", clarifying: true });
    expect(reply.action).toBeUndefined();
    expect(reply.text).toMatch(/not sure I understood/);
    expect(actions.recorded.length).toBe(before);
  });

  it("declines politely what the showroom does not do", async () => {
    const outOfScope = await ask("what's the capital of France");
    expect(outOfScope.intent).toBe("none");
    expect(outOfScope.text).toMatch(/only help with this showroom/);
    expect(outOfScope.action).toBeUndefined();
  });

  it("moves the visitor to a product and starts its training", async () => {
    expect((await ask("take me to the Nora bed")).action).toEqual({
      kind: "navigate",
      sku: "BED-NORA-Q",
      position: [-3, 0, 3],
    });
    expect((await ask("回声智能音箱怎么设置")).action).toEqual({ kind: "training", trainingId: "speaker-setup" });
    const none = await ask("how do I set up the Oslo sofa");
    expect(none.action).toBeUndefined();
    expect(none.text).toContain("Set up your Echo speaker");
  });
});

describe("requests go through the injected actions", () => {
  it("books a demo of the named product", async () => {
    const reply = await ask("can I book a demo of the Atlas desk");
    expect(reply.action?.kind).toBe("demo_requested");
    expect(actions.recorded.at(-1)).toMatchObject({
      kind: "demo",
      request: { productSku: "DESK-ATLAS", customerId: visitor.customerId },
    });
  });

  it("requests a quote with each product's quantity, in both languages", async () => {
    const en = await ask("I need a quote for 20 Mika chairs and 4 Fjord tables");
    expect(en.action?.kind).toBe("quote_requested");
    expect(actions.recorded.at(-1)).toMatchObject({
      kind: "quote",
      request: {
        items: [
          { sku: "CHAIR-MIKA", quantity: 20 },
          { sku: "TABLE-FJORD-6", quantity: 4 },
        ],
      },
    });
    const zh = await ask("我们想买二十个光环落地灯，请报价");
    expect(zh.text).toContain("× 20");
    expect(actions.recorded.at(-1)).toMatchObject({
      kind: "quote",
      request: { items: [{ sku: "LAMP-HALO", quantity: 20 }], locale: "zh" },
    });
  });

  it("hands the visitor to a person on request and on a complaint", async () => {
    const human = await ask("can I talk to a real person?");
    expect(human.action).toEqual({ kind: "support_requested", ticketId: expect.any(String) });
    expect(actions.recorded.at(-1)).toMatchObject({ kind: "support", request: { reason: "assistant_escalation" } });
    const complaint = await ask("我的奥斯陆沙发收到时坏了");
    expect(complaint.intent).toBe("complaint");
    expect(actions.recorded.at(-1)).toMatchObject({
      kind: "support",
      request: { reason: "complaint", productSku: "SOFA-OSLO-3" },
    });
  });
});

describe("a question asked without a locale", () => {
  const HAN = /\p{Script=Han}/u;

  it("is answered in English when asked in English", async () => {
    const reply = await ask("hello, what do you sell here?");
    expect(reply.locale).toBe("en");
    expect(reply.text).not.toMatch(HAN);
  });

  it("is answered in Chinese when asked in Chinese", async () => {
    const reply = await ask("你好，这里卖什么？");
    expect(reply.locale).toBe("zh");
    expect(reply.text).toMatch(HAN);
  });
});
