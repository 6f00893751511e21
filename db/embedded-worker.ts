// Runs PGlite and serves it over the Postgres wire protocol on a Unix socket. It lives in a
// worker thread because PGlite executes queries synchronously in WebAssembly: on the main
// thread every query would stall the showroom simulation.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

interface EmbeddedWorkerData {
  dataDir: string;
  socketPath: string;
  maxConnections: number;
}

const { dataDir, socketPath, maxConnections } = workerData as EmbeddedWorkerData;
const port = parentPort;
if (!port) throw new Error("embedded-worker must run as a worker thread");

try {
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections });
  await server.start();
  port.on("message", async (message: { type: string }) => {
    if (message.type !== "stop") return;
    await server.stop();
    await db.close();
    port.postMessage({ type: "stopped" });
  });
  port.postMessage({ type: "ready" });
} catch (error) {
  port.postMessage({ type: "error", message: error instanceof Error ? error.message : String(error) });
}
