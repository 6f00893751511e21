import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ModelTrainer } from "./model";

/**
 * Trains in a worker thread running the bundled trainer (dist/assistant-trainer.js, beside the
 * server bundle). Undefined where there is no bundle (tests running the sources), which means:
 * train on this thread.
 */
export function workerTrainer(bundleDir: string = dirname(fileURLToPath(import.meta.url))): ModelTrainer | undefined {
  const script = join(bundleDir, "assistant-trainer.js");
  if (!existsSync(script)) return undefined;
  return (inputs) =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(script, { workerData: inputs });
      worker.once("message", (reply: { ok: boolean; message?: string }) => {
        void worker.terminate();
        if (reply.ok) resolve();
        else reject(new Error(reply.message ?? "training failed"));
      });
      worker.once("error", reject);
      worker.once("exit", (code) => {
        if (code !== 0) reject(new Error(`the training worker exited with code ${code}`));
      });
    });
}
