import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../db/paths";
import type { LocalizedList } from "../../db/tables/core";
import { INTENTS, LOCALES, isIntent, type Intent, type Locale } from "./types";

/** Training utterances per intent; "%product%" stands for any product name of the locale. */
export type Corpus = Record<Intent, string[]>;

export interface Lexicon {
  /** Catalog category key → the words customers use for it. */
  categories: Record<string, LocalizedList>;
  /** English colour name (as in the catalog) → Chinese. */
  colors: Record<string, string>;
}

export interface AssistantData {
  corpus: Record<Locale, Corpus>;
  lexicon: Lexicon;
  /** The files' exact text, for the model cache key. */
  sources: string[];
}

export const defaultDataDir = (): string => join(projectRoot(), "data", "assistant");

/** Reads and validates the corpus and lexicon files once, where they enter. */
export function loadAssistantData(dataDir: string = defaultDataDir()): AssistantData {
  const sources: string[] = [];
  const read = (file: string): unknown => {
    const text = readFileSync(join(dataDir, file), "utf8");
    sources.push(text);
    return JSON.parse(text);
  };
  const corpus = {} as Record<Locale, Corpus>;
  for (const locale of LOCALES) corpus[locale] = parseCorpus(read(`corpus.${locale}.json`), locale);
  const lexicon = parseLexicon(read("lexicon.json"));
  return { corpus, lexicon, sources };
}

function parseCorpus(raw: unknown, locale: Locale): Corpus {
  const file = raw as { locale?: unknown; intents?: Record<string, unknown> };
  if (file.locale !== locale || typeof file.intents !== "object" || file.intents === null) {
    throw new Error(`corpus.${locale}.json: expected { "locale": "${locale}", "intents": {...} }`);
  }
  for (const name of Object.keys(file.intents)) {
    if (!isIntent(name)) throw new Error(`corpus.${locale}.json: unknown intent "${name}"`);
  }
  const corpus = {} as Corpus;
  for (const intent of INTENTS) {
    const utterances = file.intents[intent];
    if (!Array.isArray(utterances) || utterances.length === 0 || !utterances.every((u) => typeof u === "string")) {
      throw new Error(`corpus.${locale}.json: intent "${intent}" needs a list of utterances`);
    }
    corpus[intent] = utterances;
  }
  return corpus;
}

function parseLexicon(raw: unknown): Lexicon {
  const file = raw as Partial<Lexicon>;
  if (typeof file.categories !== "object" || typeof file.colors !== "object" || !file.categories || !file.colors) {
    throw new Error(`lexicon.json: expected { "categories": {...}, "colors": {...} }`);
  }
  return { categories: file.categories, colors: file.colors };
}
