// The assistant's intent model in a worker thread (bundled as dist/assistant-model.js): it trains
// or loads the model, then scores utterances on request. node-nlp, its dictionaries and the model
// live in this thread's heap only; the server's main thread keeps simulating meanwhile.
import { parentPort, workerData } from "node:worker_threads";
import { IntentModel, type IntentModelOptions } from "./model";
import type { ModelRequest, ModelWorkerMessage } from "./worker-model";

const port = parentPort;
if (!port) throw new Error("model-worker must run as a worker thread");
const send = (message: ModelWorkerMessage) => port.postMessage(message);
const options = workerData as Omit<IntentModelOptions, "onProgress">;

IntentModel.create({ ...options, onProgress: (message) => send({ kind: "progress", message }) }).then(
  (model) => {
    port.on("message", (request: ModelRequest) => {
      model.classify(request.text, request.locale).then(
        (score) => send({ kind: "scored", id: request.id, ...score }),
        (error: unknown) =>
          send({ kind: "error", id: request.id, message: error instanceof Error ? error.message : String(error) }),
      );
    });
    send({ kind: "ready", source: model.source, key: model.key, buildMs: model.buildMs });
  },
  (error: unknown) => send({ kind: "failed", message: error instanceof Error ? error.message : String(error) }),
);
