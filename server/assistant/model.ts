import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { format } from "node:util";
import { threadId } from "node:worker_threads";
import type { NlpManager } from "node-nlp";
import { trainingDocuments } from "./corpus";
import type { AssistantData } from "./data";
import { LOCALES, isIntent, type AssistantCatalog, type Intent, type Locale } from "./types";

/** Bump when the way the model is built changes, so cached models are not reused. */
export const MODEL_VERSION = "atrium-assistant-1";

export interface IntentModelOptions {
  catalog: AssistantCatalog;
  data: AssistantData;
  cacheDir: string;
  /** Progress lines while training (the CLI prints them on stderr). */
  onProgress?: (message: string) => void;
}

export interface IntentScore {
  intent: Intent;
  score: number;
}

/**
 * A trained intent model, wherever it runs: IntentModel on this thread, or WorkerIntentModel
 * (worker-model.ts), which keeps node-nlp's ~200 MB of dictionaries and models out of the
 * server's main heap, so the simulation's garbage collections stay small.
 */
export interface IntentScorer {
  /** Whether the model was trained now or loaded from the cache. */
  readonly source: "trained" | "cache";
  readonly key: string;
  readonly buildMs: number;
  /** False once the model can no longer answer (its worker stopped): make a new one. */
  readonly usable: boolean;
  classify(text: string, locale: Locale): Promise<IntentScore>;
  /** Frees the model (stops its worker); classify may not be called after. */
  dispose(): void;
}

/** Builds (trains or loads) a model for these inputs. */
export type IntentModelFactory = (options: IntentModelOptions) => Promise<IntentScorer>;

/**
 * The node-nlp intent classifier for both languages, trained from the corpus expanded with the
 * catalog's product names and cached on disk under a hash of those inputs.
 */
export class IntentModel implements IntentScorer {
  private constructor(
    private readonly manager: NlpManager,
    /** Whether this model was trained now or loaded from the cache. */
    readonly source: "trained" | "cache",
    readonly key: string,
    readonly buildMs: number,
  ) {}

  static async create(options: IntentModelOptions): Promise<IntentModel> {
    const started = performance.now();
    const key = modelKey(options.catalog, options.data);
    const file = join(options.cacheDir, `assistant-${key.slice(0, 24)}.nlp`);
    await mkdir(options.cacheDir, { recursive: true });
    // Loaded on first use: a server that runs its models in workers never loads node-nlp itself.
    const { NlpManager } = await import("node-nlp");
    const manager = new NlpManager({
      languages: [...LOCALES],
      nlu: { log: false },
      autoSave: false,
      autoLoad: false,
      modelFileName: file,
      calculateSentiment: false,
      // The assistant applies its own confidence threshold; node-nlp's would hide the score.
      threshold: 0,
    });
    silenceDictionaryCompile(manager);

    const cached = await readFile(file, "utf8").catch(() => null);
    if (cached !== null) {
      try {
        manager.import(cached);
        return new IntentModel(manager, "cache", key, performance.now() - started);
      } catch {
        options.onProgress?.(`cached model ${file} is unreadable; training again`);
      }
    }

    for (const locale of LOCALES) {
      const documents = trainingDocuments(options.data.corpus[locale], options.catalog, locale);
      for (const d of documents) manager.addDocument(locale, d.utterance, d.intent);
      options.onProgress?.(`${locale}: ${documents.length} training utterances`);
    }
    options.onProgress?.("training the intent model…");
    await manager.train();
    const temporary = `${file}.${process.pid}.${threadId}.tmp`;
    await writeFile(temporary, manager.export(true), "utf8");
    await rename(temporary, file);
    const buildMs = performance.now() - started;
    options.onProgress?.(`trained in ${Math.round(buildMs)} ms, cached as ${file}`);
    return new IntentModel(manager, "trained", key, buildMs);
  }

  async classify(text: string, locale: Locale): Promise<IntentScore> {
    const result = await this.manager.process(locale, text);
    // node-nlp answers "None" when no word of the utterance is known to it.
    if (!isIntent(result.intent)) return { intent: "none", score: result.intent === "None" ? 1 : 0 };
    return { intent: result.intent, score: result.score };
  }

  readonly usable = true;

  dispose(): void {}
}

/** SHA-256 of everything the trained model depends on. */
export function modelKey(catalog: AssistantCatalog, data: AssistantData): string {
  const hash = createHash("sha256").update(MODEL_VERSION);
  for (const source of data.sources) hash.update("\0").update(source);
  const products = [...catalog.products]
    .sort((a, b) => a.sku.localeCompare(b.sku))
    .map((p) => [p.sku, p.category, p.name, p.synonyms]);
  hash.update("\0").update(JSON.stringify(products));
  return hash.digest("hex");
}

/**
 * The Chinese tokenizer compiles its dictionary on first use and announces it with console.log,
 * which would land in stdout (and in the CLI's JSON lines). Trigger it here, synchronously, with
 * that line sent to stderr instead.
 */
function silenceDictionaryCompile(manager: NlpManager): void {
  const tokenizer = manager.container.get("tokenizer-zh") as { tokenize(text: string): unknown } | undefined;
  if (!tokenizer) return;
  const log = console.log;
  console.log = (...args: unknown[]) => process.stderr.write(`${format(...args)}\n`);
  try {
    tokenizer.tokenize("你好");
  } finally {
    console.log = log;
  }
}
