import { readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultDataDir } from "./data";
import { INTENTS, LOCALES, isIntent, type Classification, type Intent, type Locale } from "./types";

/** One labelled utterance of a JSONL evaluation file. */
export interface Example {
  text: string;
  locale: Locale | null;
  intent: Intent;
  product?: string;
}

export const testSplitPath = (): string => join(defaultDataDir(), "test.jsonl");

export function readExamples(path: string = testSplitPath()): Example[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== "")
    .map(({ line, number }) => parseExample(line, `${path}:${number}`));
}

function parseExample(line: string, where: string): Example {
  const raw = JSON.parse(line) as Record<string, unknown>;
  const { text, locale, intent, product } = raw;
  if (typeof text !== "string") throw new Error(`${where}: "text" must be a string`);
  if (locale !== null && locale !== undefined && locale !== "en" && locale !== "zh")
    throw new Error(`${where}: bad locale`);
  if (typeof intent !== "string" || !isIntent(intent)) throw new Error(`${where}: unknown intent ${String(intent)}`);
  if (product !== undefined && typeof product !== "string") throw new Error(`${where}: "product" must be a SKU`);
  return { text, locale: locale ?? null, intent, ...(product === undefined ? {} : { product }) };
}

export interface Tally {
  correct: number;
  total: number;
}

export interface EvalReport {
  overall: Tally;
  byLocale: Record<Locale, Tally>;
  /** Per language, per expected intent. */
  byIntent: Record<Locale, Record<Intent, Tally>>;
  /** confusion[expected][predicted], both languages together. */
  confusion: Record<Intent, Record<Intent, number>>;
  /** Examples naming a product whose SKU was found. */
  products: Tally;
  misses: { example: Example; got: Classification }[];
}

export async function evaluate(
  examples: Example[],
  classify: (text: string, locale: Locale | null) => Promise<Classification>,
): Promise<EvalReport> {
  const tally = (): Tally => ({ correct: 0, total: 0 });
  const perIntent = <T>(make: () => T) => Object.fromEntries(INTENTS.map((i) => [i, make()])) as Record<Intent, T>;
  const report: EvalReport = {
    overall: tally(),
    byLocale: { en: tally(), zh: tally() },
    byIntent: { en: perIntent(tally), zh: perIntent(tally) },
    confusion: perIntent(() => perIntent(() => 0)),
    products: tally(),
    misses: [],
  };
  for (const example of examples) {
    const got = await classify(example.text, example.locale);
    const hit = got.intent === example.intent ? 1 : 0;
    for (const t of [report.overall, report.byLocale[got.locale], report.byIntent[got.locale][example.intent]]) {
      t.total += 1;
      t.correct += hit;
    }
    report.confusion[example.intent][got.intent] += 1;
    if (example.product !== undefined) {
      report.products.total += 1;
      report.products.correct += got.entities.products.includes(example.product) ? 1 : 0;
    }
    if (!hit) report.misses.push({ example, got });
  }
  return report;
}

const ratio = (t: Tally): string => (t.total === 0 ? "   -  " : (t.correct / t.total).toFixed(3).padStart(6));

/** The report as the text tables the CLI prints. */
export function formatReport(report: EvalReport): string {
  const lines: string[] = [];
  const width = Math.max(...INTENTS.map((i) => i.length));
  lines.push(`${"intent".padEnd(width)}  ${LOCALES.map((l) => `${l.padStart(6)} (n)`.padEnd(12)).join("")}`);
  for (const intent of INTENTS) {
    const cells = LOCALES.map((l) =>
      `${ratio(report.byIntent[l][intent])} (${report.byIntent[l][intent].total})`.padEnd(12),
    );
    lines.push(`${intent.padEnd(width)}  ${cells.join("")}`);
  }
  lines.push(
    `${"all".padEnd(width)}  ${LOCALES.map((l) => `${ratio(report.byLocale[l])} (${report.byLocale[l].total})`.padEnd(12)).join("")}`,
  );
  lines.push(
    "",
    `overall accuracy ${ratio(report.overall).trim()} over ${report.overall.total}; product SKUs found ${report.products.correct}/${report.products.total}`,
  );
  lines.push("", "confusion (rows expected, columns predicted; both languages)");
  const abbreviations = INTENTS.map((i) => abbreviate(i));
  lines.push(`${"".padEnd(width)} ${abbreviations.map((a) => a.padStart(5)).join("")}`);
  for (const expected of INTENTS) {
    const row = INTENTS.map((predicted) => {
      const n = report.confusion[expected][predicted];
      return (n === 0 ? "." : String(n)).padStart(5);
    });
    lines.push(`${expected.padEnd(width)} ${row.join("")}`);
  }
  lines.push(`(${INTENTS.map((i, k) => `${abbreviations[k]}=${i}`).join(", ")})`);
  if (report.misses.length > 0) {
    lines.push("", "misses:");
    for (const { example, got } of report.misses) {
      lines.push(`  [${got.locale}] ${example.intent} → ${got.intent} (${got.score.toFixed(2)}): ${example.text}`);
    }
  }
  return lines.join("\n");
}

/** Four letters per column: "ask_price" → "aspr", "greet" → "gree". */
function abbreviate(intent: Intent): string {
  const parts = intent.split("_");
  return (parts.length === 1 ? intent : parts.map((part) => part.slice(0, 2)).join("")).slice(0, 4);
}
