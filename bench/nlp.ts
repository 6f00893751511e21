import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Assistant } from "../server/assistant/assistant";
import { assistantCatalogFromFile } from "../server/assistant/catalog-file";
import { readExamples } from "../server/assistant/examples";
import { loadShippingPolicy } from "../server/assistant/shipping";
import type { AssistantActions } from "../server/assistant/types";

const REPEATS = 20;

// Requests are not the assistant's cost; answer instantly so only language work is timed.
const instantActions: AssistantActions = {
  requestDemo: async () => ({ id: "bench" }),
  requestQuote: async () => ({ id: "bench" }),
  requestSupport: async () => ({ ticketId: "bench" }),
};

export interface NlpBenchResult {
  utterances: number;
  repeats: number;
  trainMs: number;
  cacheLoadMs: number;
  classify: { medianMs: number; p99Ms: number; maxMs: number };
  answer: { medianMs: number; p99Ms: number; maxMs: number };
}

/**
 * Training time, cache load time, and per-utterance latency of classify() and answer() over the
 * test split repeated; prints a table, or one JSON object with json: true.
 */
export async function runNlpBench(opts: { json: boolean }): Promise<NlpBenchResult> {
  const cacheDir = mkdtempSync(join(tmpdir(), "atrium-nlp-bench-"));
  try {
    const catalog = assistantCatalogFromFile();
    const shipping = loadShippingPolicy();
    const create = async () => {
      const started = performance.now();
      const assistant = await Assistant.create({ catalog, shipping, cacheDir, actions: instantActions });
      return { assistant, ms: performance.now() - started };
    };
    const trained = await create();
    const loaded = await create();
    const { assistant } = loaded;
    const examples = readExamples();
    const visitor = { customerId: "bench", showroomId: "bench" };
    for (const e of examples) await assistant.answer(e.text, { ...visitor, locale: e.locale });

    const classifyTimes: number[] = [];
    const answerTimes: number[] = [];
    for (let round = 0; round < REPEATS; round += 1) {
      for (const e of examples) {
        let started = performance.now();
        await assistant.classify(e.text, e.locale);
        classifyTimes.push(performance.now() - started);
        started = performance.now();
        await assistant.answer(e.text, { ...visitor, locale: e.locale });
        answerTimes.push(performance.now() - started);
      }
    }
    const result: NlpBenchResult = {
      utterances: examples.length,
      repeats: REPEATS,
      trainMs: round2(trained.ms),
      cacheLoadMs: round2(loaded.ms),
      classify: summarize(classifyTimes),
      answer: summarize(answerTimes),
    };
    process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : formatTable(result));
    return result;
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

function summarize(times: number[]): { medianMs: number; p99Ms: number; maxMs: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): number => {
    const ms = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    if (ms === undefined) throw new Error("no timings to summarize");
    return ms;
  };
  return { medianMs: round2(at(0.5), 3), p99Ms: round2(at(0.99), 3), maxMs: round2(at(1), 3) };
}

const round2 = (ms: number, digits = 1): number => Number(ms.toFixed(digits));

function formatTable(r: NlpBenchResult): string {
  const row = (name: string, s: { medianMs: number; p99Ms: number; maxMs: number }) =>
    `${name.padEnd(22)}${String(s.medianMs).padStart(10)}${String(s.p99Ms).padStart(10)}${String(s.maxMs).padStart(10)}`;
  return [
    `nlp: ${r.utterances} test utterances × ${r.repeats}`,
    `${"per utterance (ms)".padEnd(22)}${"median".padStart(10)}${"p99".padStart(10)}${"max".padStart(10)}`,
    row("classify", r.classify),
    row("answer", r.answer),
    "",
    `training (en + zh):     ${r.trainMs} ms`,
    `load from cache:        ${r.cacheLoadMs} ms`,
    "",
  ].join("\n");
}
