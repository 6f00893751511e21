import type { Lexicon } from "./data";
import type { AssistantCatalog, Entities, Locale } from "./types";

export interface Span {
  start: number;
  end: number;
}
export interface ProductMention extends Span {
  sku: string;
}
export interface QuantityMention extends Span {
  value: number;
}

/** Entities with where they were found, so quantities can be paired with products. */
export interface Extraction {
  entities: Entities;
  productMentions: ProductMention[];
  quantityMentions: QuantityMention[];
}

interface Alias {
  text: string;
  key: string;
  latin: boolean;
}

/** The product names and synonyms, in both languages, that the corpus placeholders expand to. */
export function productAliases(catalog: AssistantCatalog, locale: Locale): { sku: string; text: string }[] {
  return catalog.products.flatMap((p) =>
    [p.name[locale], ...p.synonyms[locale]].filter((text) => text.trim() !== "").map((text) => ({ sku: p.sku, text })),
  );
}

/**
 * Finds catalog products (by name or synonym, either language), category words and quantities
 * in an utterance. Built from the catalog, so a new product is found as soon as the matcher is
 * rebuilt; longer names win over shorter ones they contain ("Halo Floor Lamp" over "lamp").
 */
export class EntityMatcher {
  private readonly products: Alias[];
  private readonly categories: Alias[];

  constructor(catalog: AssistantCatalog, lexicon: Lexicon) {
    const products = [...productAliases(catalog, "en"), ...productAliases(catalog, "zh")].map((a) =>
      alias(a.text, a.sku),
    );
    const categoryKeys = new Set(catalog.products.map((p) => p.category));
    const categories: Alias[] = [];
    for (const key of categoryKeys) {
      const words = lexicon.categories[key] ?? { en: [key], zh: [] };
      for (const word of [...words.en, ...words.zh]) categories.push(alias(word, key));
    }
    this.products = byLengthDescending(products);
    this.categories = byLengthDescending(categories);
  }

  extract(text: string): Extraction {
    const normalized = normalize(text);
    const taken: Span[] = [];
    const productMentions = findAll(normalized, this.products, taken).map(({ key, ...span }) => ({
      sku: key,
      ...span,
    }));
    const categoryMentions = findAll(normalized, this.categories, taken);
    const quantityMentions = findQuantities(normalized, taken, productMentions);
    return {
      entities: {
        products: unique(productMentions.map((m) => m.sku)),
        categories: unique(categoryMentions.map((m) => m.key)),
        quantities: quantityMentions.map((q) => q.value),
      },
      productMentions,
      quantityMentions,
    };
  }
}

export function normalize(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[-_‐‑–—]/g, " ")
    .replace(/\s+/g, " ");
}

function alias(text: string, key: string): Alias {
  const normalized = normalize(text).trim();
  return { text: normalized, key, latin: /[a-z0-9]/.test(normalized) };
}

function byLengthDescending(aliases: Alias[]): Alias[] {
  return aliases.filter((a) => a.text !== "").sort((a, b) => b.text.length - a.text.length);
}

const isWordChar = (ch: string | undefined): boolean => ch !== undefined && /[a-z0-9]/.test(ch);
const overlaps = (a: Span, spans: Span[]): boolean => spans.some((s) => a.start < s.end && s.start < a.end);

function findAll(text: string, aliases: Alias[], taken: Span[]): (Span & { key: string })[] {
  const found: (Span & { key: string })[] = [];
  for (const a of aliases) {
    for (let at = text.indexOf(a.text); at !== -1; at = text.indexOf(a.text, at + 1)) {
      let end = at + a.text.length;
      if (a.latin) {
        // "Mika chairs", "Koi vases": a plural still names the product.
        const plural = /^(es|s)(?![a-z0-9])/.exec(text.slice(end));
        if (plural) end += plural[0].length;
        if (isWordChar(text[at - 1]) || isWordChar(text[end])) continue;
      }
      const span = { start: at, end };
      // A word shared by several categories ("chair") stands for all of them.
      const sameWord = found.some((f) => f.start === at && f.end === end && f.key !== a.key);
      if (overlaps(span, taken) && !sameWord) continue;
      taken.push(span);
      found.push({ ...span, key: a.key });
    }
  }
  return found.sort((x, y) => x.start - y.start);
}

const ENGLISH_NUMBERS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  dozen: 12,
};
const CHINESE_DIGITS: Record<string, number> = {
  零: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const CHINESE_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
// A number followed by one of these is a measurement, not how many to order.
const UNIT_AFTER =
  /^\s?(cm|mm|m|kg|k|%|inch|inches|in|days?|weeks?|hours?|厘米|公分|毫米|米|寸|英寸|天|周|小时|号|点)(?![a-z])/;
// Chinese numerals count things only before a measure word ("二十个", "四张"); "一下" is not a quantity.
const MEASURE_WORD = /^[个張张把件台套盏块只条组份箱]/;
const UNITS = "one|two|three|four|five|six|seven|eight|nine";
const TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen";
const TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety";
const QUANTITY = new RegExp(
  String.raw`\d+|[零一二两三四五六七八九十百千万]+|\b(?:(?:${TENS})(?: (?:${UNITS}))?|${UNITS}|${TEENS}|a hundred|hundred|dozen)\b`,
  "g",
);

function findQuantities(text: string, taken: Span[], products: ProductMention[]): QuantityMention[] {
  const found: QuantityMention[] = [];
  for (const match of text.matchAll(QUANTITY)) {
    const span = { start: match.index, end: match.index + match[0].length };
    if (overlaps(span, taken)) continue;
    const after = text.slice(span.end);
    if (UNIT_AFTER.test(after)) continue;
    const token = match[0];
    let value: number;
    if (/^\d+$/.test(token)) value = Number(token);
    else if (/^[零一二两三四五六七八九十百千万]+$/.test(token)) {
      const beforeProduct = products.some((p) => p.start === span.end);
      if (!MEASURE_WORD.test(after) && !beforeProduct) continue;
      value = parseChineseNumber(token);
    } else value = parseEnglishNumber(token);
    if (Number.isSafeInteger(value) && value > 0) found.push({ ...span, value });
  }
  return found;
}

function parseEnglishNumber(words: string): number {
  if (words === "hundred" || words === "a hundred") return 100;
  return words.split(" ").reduce((sum, w) => sum + (ENGLISH_NUMBERS[w] ?? 0), 0);
}

/** "十二" → 12, "二十五" → 25, "一百" → 100, "两千" → 2000, "三万" → 30000. */
export function parseChineseNumber(text: string): number {
  let total = 0;
  let section = 0;
  let digit = 0;
  for (const ch of text) {
    const digitValue = CHINESE_DIGITS[ch];
    const unitValue = CHINESE_UNITS[ch];
    if (digitValue !== undefined) digit = digitValue;
    else if (unitValue !== undefined) {
      section += (digit || 1) * unitValue;
      digit = 0;
    } else if (ch === "万") {
      total += (section + digit || 1) * 10_000;
      section = 0;
      digit = 0;
    }
  }
  return total + section + digit;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
