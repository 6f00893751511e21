import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assistantCatalogFromFile } from "../../../server/assistant/catalog-file";
import { Classifier } from "../../../server/assistant/classifier";
import { evaluate, readExamples, type EvalReport } from "../../../server/assistant/examples";
import { INTENTS, LOCALES } from "../../../server/assistant/types";
import { temporaryCacheDir } from "./fixtures";

const cache = temporaryCacheDir();
let report: EvalReport;

beforeAll(async () => {
  const classifier = await Classifier.create({ catalog: assistantCatalogFromFile(), cacheDir: cache.dir });
  report = await evaluate(readExamples(), (text, locale) => classifier.classify(text, locale));
}, 60_000);
afterAll(() => cache.remove());

describe("the assistant understands the held-out test split", () => {
  for (const locale of LOCALES) {
    it(`classifies at least 90% of the ${locale} questions correctly`, () => {
      const { correct, total } = report.byLocale[locale];
      expect(total).toBeGreaterThanOrEqual(INTENTS.length * 8);
      expect(correct / total).toBeGreaterThanOrEqual(0.9);
    });

    for (const intent of INTENTS) {
      it(`recognises most ${locale} "${intent}" questions`, () => {
        const { correct, total } = report.byIntent[locale][intent];
        expect(total).toBeGreaterThanOrEqual(8);
        expect(correct / total).toBeGreaterThan(0.5);
      });
    }
  }

  it("finds the SKU of every product a test question names", () => {
    expect(report.products.total).toBeGreaterThan(50);
    expect(report.products.correct).toBe(report.products.total);
  });

  it("detects the language when the question does not say", () => {
    const wrongLanguage = report.misses.filter((m) => m.example.locale !== null && m.got.locale !== m.example.locale);
    expect(wrongLanguage).toEqual([]);
  });
});
