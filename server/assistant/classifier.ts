import { loadAssistantData, type AssistantData } from "./data";
import { EntityMatcher, type Extraction } from "./entities";
import { detectLocale } from "./locale";
import type { IntentModelFactory, IntentScorer } from "./model";
import type { AssistantCatalog, Classification, Locale } from "./types";

/** Longer input is cut to this many characters before it reaches the model. */
export const MAX_CLASSIFIED_CHARS = 1000;

export interface ClassifierOptions {
  catalog: AssistantCatalog;
  cacheDir: string;
  /** Corpus and lexicon; read from data/assistant when not given. */
  data?: AssistantData;
  onProgress?: (message: string) => void;
  /** Where the intent model runs: this thread (IntentModel) unless given, e.g. a worker (worker-model.ts). */
  model?: IntentModelFactory;
}

export interface Understanding extends Classification {
  extraction: Extraction;
}

/** Language, intent and entities of an utterance: everything the assistant understands, nothing it does. */
export class Classifier {
  private constructor(
    readonly catalog: AssistantCatalog,
    readonly data: AssistantData,
    readonly model: IntentScorer,
    private readonly matcher: EntityMatcher,
  ) {}

  static async create(options: ClassifierOptions): Promise<Classifier> {
    const data = options.data ?? loadAssistantData();
    const create = options.model ?? (await import("./model")).IntentModel.create;
    const model = await create({
      catalog: options.catalog,
      data,
      cacheDir: options.cacheDir,
      onProgress: options.onProgress,
    });
    return new Classifier(options.catalog, data, model, new EntityMatcher(options.catalog, data.lexicon));
  }

  async understand(text: string, locale: Locale | null = null): Promise<Understanding> {
    const input = text.slice(0, MAX_CLASSIFIED_CHARS);
    const language = locale ?? detectLocale(input);
    const extraction = this.matcher.extract(input);
    const { intent, score } = /[\p{L}\p{N}]/u.test(input)
      ? await this.model.classify(input, language)
      : { intent: "none" as const, score: 0 };
    return { intent, score, locale: language, entities: extraction.entities, extraction };
  }

  get usable(): boolean {
    return this.model.usable;
  }

  dispose(): void {
    this.model.dispose();
  }

  async classify(text: string, locale: Locale | null = null): Promise<Classification> {
    const { extraction: _, ...classification } = await this.understand(text, locale);
    return classification;
  }
}
