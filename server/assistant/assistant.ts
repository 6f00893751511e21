import { Classifier, type Understanding } from "./classifier";
import type { IntentModelFactory } from "./model";
import { loadAssistantData } from "./data";
import { detectLocale } from "./locale";
import { replies, type Replies } from "./replies";
import type {
  AnswerContext,
  AssistantAction,
  AssistantActions,
  AssistantCatalog,
  AssistantProduct,
  AssistantReply,
  Classification,
  Locale,
  RequestOrigin,
  ShippingPolicy,
} from "./types";

/** Below this intent score the assistant asks back instead of guessing. */
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.6;
/** How long a replaced model keeps answering the questions it already had. */
const RETIRED_MODEL_GRACE_MS = 5_000;
/** Longer messages get a request to shorten them rather than an answer. */
export const MAX_QUESTION_CHARS = 500;

export interface AssistantOptions {
  catalog: AssistantCatalog;
  shipping: ShippingPolicy;
  /** Where trained models are cached; nothing else is written. */
  cacheDir: string;
  actions: AssistantActions;
  /** Corpus and lexicon folder; data/assistant by default. */
  dataDir?: string;
  confidenceThreshold?: number;
  onProgress?: (message: string) => void;
  /** Where the intent model runs (see IntentScorer); here, on this thread, when not given. */
  model?: IntentModelFactory;
  /** A failed CRM action is reported here; the visitor gets an apology, never an exception. */
  onError?: (error: unknown) => void;
}

type Resolution = { product: AssistantProduct } | { ambiguous: AssistantProduct[] } | null;

/**
 * The showroom assistant: understands a visitor's question in English or Chinese, answers from
 * the catalog, and records demo, quote and support requests through the injected actions.
 */
export class Assistant {
  private constructor(
    private classifier: Classifier,
    private readonly options: AssistantOptions,
  ) {}

  static async create(options: AssistantOptions): Promise<Assistant> {
    const data = loadAssistantData(options.dataDir);
    const classifier = await Classifier.create({
      catalog: options.catalog,
      cacheDir: options.cacheDir,
      data,
      onProgress: options.onProgress,
      model: options.model,
    });
    return new Assistant(classifier, options);
  }

  /** False once its model can no longer answer (its worker stopped). */
  get usable(): boolean {
    return this.classifier.usable;
  }

  /** Frees the model (its worker, when it has one). */
  dispose(): void {
    this.classifier.dispose();
  }

  get catalog(): AssistantCatalog {
    return this.classifier.catalog;
  }

  /** "trained" when this instance trained its current model, "cache" when it loaded it. */
  get modelSource(): "trained" | "cache" {
    return this.classifier.model.source;
  }

  /**
   * Rebuilds the model and entities for a changed catalog (loading from the cache when it was
   * seen before). Questions keep being answered with the previous catalog until it is ready.
   */
  async retrain(catalog: AssistantCatalog): Promise<void> {
    const previous = this.classifier;
    this.classifier = await Classifier.create({
      catalog,
      cacheDir: this.options.cacheDir,
      data: previous.data,
      onProgress: this.options.onProgress,
      model: this.options.model,
    });
    // Questions already being answered by the previous model finish on it.
    setTimeout(() => previous.dispose(), RETIRED_MODEL_GRACE_MS).unref();
  }

  classify(text: string, locale: Locale | null = null): Promise<Classification> {
    return this.classifier.classify(text, locale);
  }

  /** The reply to one visitor message. Never throws. */
  async answer(text: string, ctx: AnswerContext): Promise<AssistantReply> {
    const classifier = this.classifier;
    const input = typeof text === "string" ? text.trim() : "";
    const locale = ctx.locale ?? detectLocale(input);
    const say = replies(locale, classifier.data.lexicon.colors);
    const noEntities = { products: [], categories: [], quantities: [] };
    if (!/[\p{L}\p{N}]/u.test(input)) {
      return { text: say.empty(), intent: "none", score: 0, locale, entities: noEntities, clarifying: true };
    }
    if (input.length > MAX_QUESTION_CHARS) {
      return {
        text: say.tooLong(MAX_QUESTION_CHARS),
        intent: "none",
        score: 0,
        locale,
        entities: noEntities,
        clarifying: true,
      };
    }
    try {
      const understood = await classifier.understand(input, locale);
      return await this.respond(understood, input, ctx, say, classifier.catalog);
    } catch (error) {
      (this.options.onError ?? ((e: unknown) => console.error("[assistant]", e)))(error);
      return { text: say.failed(), intent: "none", score: 0, locale, entities: noEntities, clarifying: false };
    }
  }

  private async respond(
    u: Understanding,
    text: string,
    ctx: AnswerContext,
    say: Replies,
    catalog: AssistantCatalog,
  ): Promise<AssistantReply> {
    const { extraction: _, ...classification } = u;
    const reply = (replyText: string, action?: AssistantAction): AssistantReply => ({
      ...classification,
      text: replyText,
      clarifying: false,
      ...(action ? { action } : {}),
    });
    const ask = (question: string): AssistantReply => ({ ...classification, text: question, clarifying: true });
    if (u.score < (this.options.confidenceThreshold ?? DEFAULT_CONFIDENCE_THRESHOLD)) return ask(say.notUnderstood());

    const resolution = resolveProduct(u, ctx, catalog);
    const product = resolution && "product" in resolution ? resolution.product : null;
    const needProduct = (then: (p: AssistantProduct) => AssistantReply): AssistantReply => {
      if (resolution === null) return ask(say.whichProduct());
      if ("ambiguous" in resolution) return ask(say.whichOf(resolution.ambiguous));
      return then(resolution.product);
    };
    const origin: RequestOrigin = {
      customerId: ctx.customerId,
      showroomId: ctx.showroomId,
      visitId: ctx.visitId ?? null,
      text,
      locale: u.locale,
    };
    const { actions } = this.options;

    switch (u.intent) {
      case "greet":
        return reply(say.greet());
      case "goodbye":
        return reply(say.goodbye());
      case "thanks":
        return reply(say.thanks());
      case "none":
        return reply(say.outOfScope());
      case "ask_price":
        return needProduct((p) => reply(say.price(p)));
      case "ask_availability":
        return needProduct((p) => reply(say.availability(p)));
      case "product_info":
        return needProduct((p) => reply(say.info(p)));
      case "navigate_to":
        return needProduct((p) => reply(say.navigating(p), { kind: "navigate", sku: p.sku, position: p.position }));
      case "compare_products": {
        const pair = comparedPair(u, ctx, catalog);
        return pair ? reply(say.compare(pair[0], pair[1])) : ask(say.compareNeedsTwo());
      }
      case "ask_shipping":
        return reply(say.shipping(this.options.shipping, product));
      case "start_training": {
        if (product) {
          const training = catalog.trainings.find((t) => t.id === product.trainingId || t.productSku === product.sku);
          return training
            ? reply(say.training(training), { kind: "training", trainingId: training.id })
            : reply(say.noTraining(product, catalog.trainings));
        }
        const [only, ...others] = catalog.trainings;
        return only && others.length === 0
          ? reply(say.training(only), { kind: "training", trainingId: only.id })
          : ask(say.whichTraining(catalog.trainings));
      }
      case "book_demo": {
        const { id } = await actions.requestDemo({ ...origin, productSku: product?.sku ?? null });
        return reply(say.demoRequested(product), { kind: "demo_requested", id });
      }
      case "request_quote": {
        const items = quoteItems(u, product, catalog);
        if (items.length === 0) return ask(say.quoteNeedsProduct());
        const { id } = await actions.requestQuote({
          ...origin,
          items: items.map((i) => ({ sku: i.product.sku, quantity: i.quantity })),
        });
        return reply(say.quoteRequested(items), { kind: "quote_requested", id });
      }
      case "ask_human_agent":
      case "complaint": {
        const reason = u.intent === "complaint" ? "complaint" : "assistant_escalation";
        const { ticketId } = await actions.requestSupport({ ...origin, productSku: product?.sku ?? null, reason });
        return reply(u.intent === "complaint" ? say.complaintRecorded() : say.humanRequested(), {
          kind: "support_requested",
          ticketId,
        });
      }
    }
  }
}

const bySku = (catalog: AssistantCatalog, sku: string | null | undefined): AssistantProduct | undefined =>
  sku ? catalog.products.find((p) => p.sku === sku) : undefined;

/**
 * The product a question is about: one it names, else the only one of a category it names,
 * else the one the visitor stands at ("how much is this?").
 */
function resolveProduct(u: Understanding, ctx: AnswerContext, catalog: AssistantCatalog): Resolution {
  const named = bySku(catalog, u.entities.products[0]);
  if (named) return { product: named };
  const near = bySku(catalog, ctx.nearProductSku);
  if (u.entities.categories.length > 0) {
    const candidates = catalog.products.filter((p) => u.entities.categories.includes(p.category));
    const [only] = candidates;
    if (candidates.length === 1 && only) return { product: only };
    if (near && candidates.includes(near)) return { product: near };
    if (candidates.length > 1) return { ambiguous: candidates };
  }
  return near ? { product: near } : null;
}

function comparedPair(
  u: Understanding,
  ctx: AnswerContext,
  catalog: AssistantCatalog,
): [AssistantProduct, AssistantProduct] | null {
  const named = u.entities.products.map((sku) => bySku(catalog, sku)).filter((p) => p !== undefined);
  const near = bySku(catalog, ctx.nearProductSku);
  const candidates =
    named.length > 0 ? named : catalog.products.filter((p) => u.entities.categories.includes(p.category));
  const [first, second] = candidates;
  if (first && second) return [first, second];
  if (first && near && near !== first) return [near, first];
  return null;
}

/**
 * Products and how many of each: a quantity belongs to the product it precedes ("20 Mika
 * chairs"), else to the one it follows ("Mika chairs, 20 please"); one when none is given.
 */
function quoteItems(
  u: Understanding,
  resolved: AssistantProduct | null,
  catalog: AssistantCatalog,
): { product: AssistantProduct; quantity: number }[] {
  const { productMentions, quantityMentions } = u.extraction;
  if (productMentions.length === 0) {
    return resolved ? [{ product: resolved, quantity: quantityMentions[0]?.value ?? 1 }] : [];
  }
  const used = new Set<number>();
  const chosen = productMentions.map((mention, k) => {
    const previousEnd = productMentions[k - 1]?.end ?? 0;
    const before = quantityMentions.findLastIndex(
      (q, i) => !used.has(i) && q.end <= mention.start && q.start >= previousEnd,
    );
    if (before !== -1) used.add(before);
    return before;
  });
  productMentions.forEach((mention, k) => {
    if (chosen[k] !== -1) return;
    const nextStart = productMentions[k + 1]?.start ?? Infinity;
    const after = quantityMentions.findIndex((q, i) => !used.has(i) && q.start >= mention.end && q.end <= nextStart);
    chosen[k] = after;
    if (after !== -1) used.add(after);
  });
  // A product named twice ("the Oslo sofa… the grey couch") counts the quantities given for it.
  const quantities = new Map<string, number>();
  productMentions.forEach((mention, k) => {
    // -1 (no quantity chosen) finds no mention.
    const given = quantityMentions[chosen[k] ?? -1]?.value ?? 0;
    quantities.set(mention.sku, (quantities.get(mention.sku) ?? 0) + given);
  });
  for (const [sku, quantity] of quantities) if (quantity === 0) quantities.set(sku, 1);
  return [...quantities].flatMap(([sku, quantity]) => {
    const product = bySku(catalog, sku);
    return product ? [{ product, quantity }] : [];
  });
}
