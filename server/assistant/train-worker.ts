// A worker thread that trains the assistant's model and leaves it in the cache (bundled as
// dist/assistant-trainer.js). The server's main thread keeps simulating meanwhile.
import { parentPort, workerData } from "node:worker_threads";
import { IntentModel, type ModelTrainer } from "./model";

type Inputs = Parameters<ModelTrainer>[0];

const port = parentPort;
if (!port) throw new Error("train-worker must run as a worker thread");
const inputs = workerData as Inputs;
IntentModel.create(inputs).then(
  (model) => port.postMessage({ ok: true, source: model.source }),
  (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
);
