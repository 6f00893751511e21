import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { IntentModelFactory, IntentModelOptions, IntentScore, IntentScorer } from "./model";
import type { Locale } from "./types";

/** Main thread → model worker. */
export interface ModelRequest {
  id: number;
  text: string;
  locale: Locale;
}

/** Model worker → main thread. */
export type ModelWorkerMessage =
  | { kind: "progress"; message: string }
  | { kind: "ready"; source: "trained" | "cache"; key: string; buildMs: number }
  | { kind: "failed"; message: string }
  | ({ kind: "scored"; id: number } & IntentScore)
  | { kind: "error"; id: number; message: string };

/**
 * Models run in a worker thread of their own (dist/assistant-model.js beside the server bundle).
 * Undefined where there is no bundle (tests and tools running the sources): models then run on
 * the calling thread.
 */
export function workerModelFactory(
  bundleDir: string = dirname(fileURLToPath(import.meta.url)),
): IntentModelFactory | undefined {
  const script = join(bundleDir, "assistant-model.js");
  if (!existsSync(script)) return undefined;
  return (options) => WorkerIntentModel.start(script, options);
}

type Pending = { resolve: (score: IntentScore) => void; reject: (error: Error) => void };

/** An intent model living in a worker thread; classify is a message round trip (well under a millisecond). */
export class WorkerIntentModel implements IntentScorer {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly source: "trained" | "cache",
    readonly key: string,
    readonly buildMs: number,
  ) {}

  static start(script: string, options: IntentModelOptions): Promise<WorkerIntentModel> {
    const { onProgress, ...inputs } = options;
    onProgress?.("loading or training the intent model in a worker thread…");
    const worker = new Worker(script, { workerData: inputs });
    // The worker never keeps a process alive on its own (a CLI or a test ends when its work does).
    worker.unref();
    return new Promise((resolve, reject) => {
      let model: WorkerIntentModel | null = null;
      const fail = (error: Error) => {
        if (model) model.failAll(error);
        else reject(error);
      };
      worker.on("message", (message: ModelWorkerMessage) => {
        switch (message.kind) {
          case "progress":
            onProgress?.(message.message);
            return;
          case "ready":
            model = new WorkerIntentModel(worker, message.source, message.key, message.buildMs);
            resolve(model);
            return;
          case "failed":
            void worker.terminate();
            reject(new Error(message.message));
            return;
          default:
            model?.settle(message);
        }
      });
      worker.on("error", fail);
      worker.on("exit", (code) => fail(new Error(`the assistant's model worker stopped (exit code ${code})`)));
    });
  }

  get usable(): boolean {
    return this.failure === null;
  }

  classify(text: string, locale: Locale): Promise<IntentScore> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<IntentScore>((resolve, reject) => {
      // A question being answered keeps the process alive until its answer is back.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      const request: ModelRequest = { id, text, locale };
      this.worker.postMessage(request);
    });
  }

  dispose(): void {
    this.failAll(new Error("the assistant's model was replaced"));
    void this.worker.terminate();
  }

  private settle(message: Extract<ModelWorkerMessage, { id: number }>): void {
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.worker.unref();
    if (message.kind === "scored") waiting.resolve({ intent: message.intent, score: message.score });
    else waiting.reject(new Error(message.message));
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
    this.worker.unref();
  }
}
