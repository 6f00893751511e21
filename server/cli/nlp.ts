import { createInterface } from "node:readline";
import { join } from "node:path";
import { defaultDataDir } from "../../db/embedded";
import { assistantCatalogFromFile } from "../assistant/catalog-file";
import { Classifier } from "../assistant/classifier";
import { evaluate, formatReport, readExamples } from "../assistant/examples";

/**
 * Operator command for the assistant's language model, without a database:
 *   nlp classify        JSON lines {"text","locale"} on stdin → one JSON classification per line on stdout
 *   nlp eval FILE       accuracy per intent and language and a confusion table for a JSONL test file
 * Progress goes to stderr so stdout stays machine-readable.
 */
const USAGE = "usage: nlp classify < lines.jsonl | nlp eval FILE.jsonl";

async function main(argv: string[]): Promise<number> {
  const [command, file] = argv;
  if (command !== "classify" && command !== "eval") {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (command === "eval" && !file) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const classifier = await Classifier.create({
    catalog: assistantCatalogFromFile(),
    cacheDir: join(defaultDataDir(), "nlp-cache"),
    onProgress: (message) => process.stderr.write(`[nlp] ${message}\n`),
  });
  process.stderr.write(`[nlp] model ${classifier.model.source === "cache" ? "loaded from cache" : "trained"}\n`);
  if (command === "eval") {
    const report = await evaluate(readExamples(file), (text, locale) => classifier.classify(text, locale));
    process.stdout.write(`${formatReport(report)}\n`);
    return 0;
  }
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === "") continue;
    const request = parseRequest(line);
    const output = request
      ? await classifier.classify(request.text, request.locale)
      : { error: 'expected a JSON object {"text": string, "locale": "en"|"zh"|null}' };
    process.stdout.write(`${JSON.stringify(output)}\n`);
  }
  return 0;
}

function parseRequest(line: string): { text: string; locale: "en" | "zh" | null } | null {
  try {
    const raw = JSON.parse(line) as { text?: unknown; locale?: unknown };
    if (typeof raw.text !== "string") return null;
    const locale = raw.locale === "en" || raw.locale === "zh" ? raw.locale : null;
    return { text: raw.text, locale };
  } catch {
    return null;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`nlp: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
