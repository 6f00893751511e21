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
  runExtendedQueriesWhole(server);
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

/**
 * pglite-socket queues each protocol message on its own, so another connection's messages can run
 * between one connection's Parse and its Bind (or open a transaction there) and replace its
 * unnamed statement: "bind message supplies 2 parameters, but prepared statement "" requires 1",
 * "portal "" does not exist", then a stalled queue. The parts of an extended query (Parse, Bind,
 * Describe, Execute, Close) are held until the Sync that ends it and run as one unit.
 */
function runExtendedQueriesWhole(server: PGLiteSocketServer): void {
  type Enqueue = (handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void) => Promise<number>;
  const queue = (server as unknown as { queryQueue: { enqueue: Enqueue } }).queryQueue;
  const enqueue = queue.enqueue.bind(queue);
  const held = new Map<number, Uint8Array[]>();
  const PARTS = new Set([0x50, 0x42, 0x44, 0x45, 0x43]); // P, B, D, E, C
  queue.enqueue = (handlerId, message, onData) => {
    const parts = held.get(handlerId) ?? [];
    const type = message[0];
    if (type !== undefined && PARTS.has(type)) {
      parts.push(message);
      held.set(handlerId, parts);
      return Promise.resolve(0);
    }
    held.delete(handlerId);
    return enqueue(handlerId, parts.length === 0 ? message : Buffer.concat([...parts, message]), onData);
  };
}
