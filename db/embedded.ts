import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { lockDataFolder } from "./data-folder-lock";
import { projectRoot } from "./paths";

export { DataFolderInUseError } from "./data-folder-lock";

export interface EmbeddedPostgres {
  /** A libpq connection string for pg, pointing at the Unix socket. */
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

const SOCKET_PORT = 5432;

type WorkerReply = { type: "ready" | "error" | "stopped"; message?: string };

/**
 * Starts the embedded Postgres (PGlite) on a data folder that survives restarts. PGlite has
 * no locking of its own, so a lock file guards the folder (see data-folder-lock.ts): two
 * processes writing one PGlite folder would corrupt it.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: { maxConnections?: number } = {},
): Promise<EmbeddedPostgres> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // The folder holds every customer's data and the token-signing secret (in the WAL too).
  restrictToOwner(dataDir);
  const releaseLock = await lockDataFolder(dataDir);
  // Unix socket paths are limited to ~107 bytes, so the socket lives in a short temp folder.
  const socketDir = mkdtempSync(join(tmpdir(), "atrium-pg-"));
  const socketPath = join(socketDir, `.s.PGSQL.${SOCKET_PORT}`);
  const worker = new Worker(join(projectRoot(), "db", "embedded-worker.ts"), {
    workerData: { dataDir: join(dataDir, "pg"), socketPath, maxConnections: options.maxConnections ?? 16 },
  });
  const startListeners: {
    error?: (err: Error) => void;
    exit?: (code: number) => void;
    message?: (m: WorkerReply) => void;
  } = {};
  try {
    await new Promise<void>((resolve, reject) => {
      startListeners.error = reject;
      startListeners.exit = (code) => reject(new Error(`embedded Postgres exited during start (code ${code})`));
      startListeners.message = (message) => {
        if (message.type === "ready") resolve();
        else reject(new Error(`embedded Postgres failed to start: ${message.message ?? message.type}`));
      };
      worker.once("error", startListeners.error);
      worker.once("exit", startListeners.exit);
      worker.once("message", startListeners.message);
    });
  } catch (error) {
    await worker.terminate();
    releaseLock();
    rmSync(socketDir, { recursive: true, force: true });
    throw error;
  } finally {
    // Only our own listeners: Worker keeps internal ones that removeAllListeners would break.
    if (startListeners.error) worker.off("error", startListeners.error);
    if (startListeners.exit) worker.off("exit", startListeners.exit);
    if (startListeners.message) worker.off("message", startListeners.message);
  }
  // PGlite (Emscripten's file system) creates its files 0666: taken back now; later ones sit in the 0700 folder.
  restrictToOwner(dataDir);
  worker.on("error", (err) => console.error(`[db] embedded Postgres error: ${err.message}`));
  let stopped: Promise<void> | undefined;
  return {
    url: `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}&port=${SOCKET_PORT}`,
    dataDir,
    stop() {
      stopped ??= (async () => {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5000);
          worker.once("message", () => {
            clearTimeout(timer);
            resolve();
          });
          worker.postMessage({ type: "stop" });
        });
        await worker.terminate();
        rmSync(socketDir, { recursive: true, force: true });
        releaseLock();
      })();
      return stopped;
    },
  };
}

export const defaultDataDir = (): string => process.env.ATRIUM_DATA_DIR ?? join(projectRoot(), ".atrium");

/**
 * The folder and everything in it readable and writable by this user only: folders 0700, files
 * 0600. Also repairs folders made by versions that left them open to everyone. Links are not followed.
 */
export function restrictToOwner(path: string): void {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch (error) {
    // Postgres, running, may remove a file while the walk is on its way to it.
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return;
    throw error;
  }
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
    for (const entry of readdirSync(path)) restrictToOwner(join(path, entry));
  } else if ((stat.mode & 0o777) !== 0o600 && stat.isFile()) chmodSync(path, 0o600);
}
