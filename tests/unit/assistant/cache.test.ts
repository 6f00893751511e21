import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { Assistant } from "../../../server/assistant/assistant";
import { assistantCatalogFromFile } from "../../../server/assistant/catalog-file";
import { recordingActions, shipping, temporaryCacheDir } from "./fixtures";
import { nth } from "../../support/items";

const cache = temporaryCacheDir();
afterAll(() => cache.remove());
const catalog = assistantCatalogFromFile();
const create = (c = catalog) =>
  Assistant.create({ catalog: c, shipping, cacheDir: cache.dir, actions: recordingActions() });

describe("the trained model is cached on disk", () => {
  it("trains once, then loads the same inputs from the cache, writing nothing to stdout or the working directory", async () => {
    const stdout = vi.spyOn(process.stdout, "write");
    const log = vi.spyOn(console, "log");
    const first = await create();
    expect(first.modelSource).toBe("trained");
    const second = await create();
    expect(second.modelSource).toBe("cache");
    expect(stdout).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    stdout.mockRestore();
    log.mockRestore();
    expect(existsSync(join(process.cwd(), "model.nlp"))).toBe(false);
    expect(readdirSync(cache.dir).filter((f) => f.endsWith(".nlp"))).toHaveLength(1);
    expect((await second.classify("how much is the Oslo sofa")).intent).toBe("ask_price");
  }, 60_000);

  it("retrains when the catalog's products change, and a new product is then recognised", async () => {
    const assistant = await create();
    expect(assistant.modelSource).toBe("cache");
    const pouf = {
      ...nth(catalog.products, 0),
      sku: "POUF-MOSS",
      category: "pouf",
      name: { en: "Moss Pouf", zh: "苔藓坐墩" },
      synonyms: { en: ["footstool"], zh: ["脚凳"] },
      priceCents: 7900,
    };
    await assistant.retrain({ ...catalog, products: [...catalog.products, pouf] });
    expect(assistant.modelSource).toBe("trained");
    const reply = await assistant.answer("how much is the Moss Pouf?", { customerId: "c", showroomId: "s" });
    expect(reply.entities.products).toEqual(["POUF-MOSS"]);
    expect(reply.text).toContain("$79.00");
    expect((await assistant.classify("苔藓坐墩多少钱")).entities.products).toEqual(["POUF-MOSS"]);
  }, 60_000);

  it("keeps the cached model when only prices or stock change", async () => {
    const assistant = await create();
    const cheaper = {
      ...catalog,
      products: catalog.products.map((p) => (p.sku === "SOFA-OSLO-3" ? { ...p, priceCents: 99_900 } : p)),
    };
    await assistant.retrain(cheaper);
    expect(assistant.modelSource).toBe("cache");
    expect((await assistant.answer("how much is the Oslo sofa", { customerId: "c", showroomId: "s" })).text).toContain(
      "$999.00",
    );
  }, 60_000);
});
