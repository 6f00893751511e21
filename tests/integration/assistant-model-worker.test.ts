import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WorkerIntentModel } from "../../server/assistant/worker-model";
import type { IntentModelOptions } from "../../server/assistant/model";

// A stand-in for dist/assistant-model.js speaking the same protocol: it scores "hello" as a
// greeting, fails on "boom", and stops dead on "crash".
const dir = mkdtempSync(join(tmpdir(), "atrium-model-worker-"));
const script = join(dir, "model.mjs");
writeFileSync(
  script,
  `import { parentPort, workerData } from "node:worker_threads";
parentPort.postMessage({ kind: "progress", message: "loading " + workerData.cacheDir });
parentPort.on("message", (r) => {
  if (r.text === "crash") process.exit(3);
  if (r.text === "boom") parentPort.postMessage({ kind: "error", id: r.id, message: "no score" });
  else parentPort.postMessage({ kind: "scored", id: r.id, intent: "greet", score: 0.9 });
});
parentPort.postMessage({ kind: "ready", source: "cache", key: "k", buildMs: 1 });
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = (progress: string[]): IntentModelOptions => ({
  catalog: { products: [], trainings: [] },
  data: {} as IntentModelOptions["data"],
  cacheDir: "/cache",
  onProgress: (m) => progress.push(m),
});

describe("an intent model in a worker thread", () => {
  it("starts, reports progress, answers by message and passes on a failed score", async () => {
    const progress: string[] = [];
    const model = await WorkerIntentModel.start(script, options(progress));
    expect(progress).toEqual(["loading or training the intent model in a worker thread…", "loading /cache"]);
    expect(model).toMatchObject({ source: "cache", key: "k", usable: true });
    const [a, b] = await Promise.all([model.classify("hello", "en"), model.classify("hi", "zh")]);
    expect(a).toEqual({ intent: "greet", score: 0.9 });
    expect(b).toEqual({ intent: "greet", score: 0.9 });
    await expect(model.classify("boom", "en")).rejects.toThrow("no score");
    expect(model.usable).toBe(true);
    model.dispose();
    expect(model.usable).toBe(false);
  });

  it("rejects what it was asked and says it is no longer usable when its worker stops", async () => {
    const model = await WorkerIntentModel.start(script, options([]));
    await expect(model.classify("crash", "en")).rejects.toThrow("the assistant's model worker stopped (exit code 3)");
    expect(model.usable).toBe(false);
    await expect(model.classify("hello", "en")).rejects.toThrow("stopped");
  });

  it("fails to start with the worker's own reason", async () => {
    const failing = join(dir, "failing.mjs");
    writeFileSync(
      failing,
      `import { parentPort } from "node:worker_threads"; parentPort.postMessage({ kind: "failed", message: "corpus unreadable" });`,
    );
    await expect(WorkerIntentModel.start(failing, options([]))).rejects.toThrow("corpus unreadable");
  });
});
