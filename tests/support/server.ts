import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { projectRoot } from "../../db/paths";
import { createTestDatabase, type TestDatabase } from "./db";

export interface TestServer {
  baseUrl: string;
  port: number;
  database: TestDatabase;
  /** Everything the server printed, for assertions on its log. */
  output(): string;
  /** SIGTERM, then waits for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Stops and starts again on the same port and database. */
  restart(): Promise<void>;
  /** Stops the server (if running) and drops the database. */
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The real server as a separate process (the built dist/server.js, as `npm start` runs it) on
 * a free port and a fresh database. Colyseus keeps its matchmaker in module state, so one
 * process per server is also what keeps tests independent.
 */
export async function startTestServer(
  options: { env?: Record<string, string>; database?: TestDatabase["kind"] } = {},
): Promise<TestServer> {
  const database = await createTestDatabase({ kind: options.database });
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = "";

  const start = async () => {
    const proc = spawn(process.execPath, [join(projectRoot(), "dist", "server.js")], {
      cwd: projectRoot(),
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: database.url, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${log}`)), 30_000);
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes("[atrium] ready")) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout?.on("data", onData);
      proc.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} during start:\n${log}`));
      });
    });
  };

  const stop = async (): Promise<number | null> => {
    const proc = child;
    if (!proc || proc.exitCode !== null) return proc?.exitCode ?? null;
    child = undefined;
    return new Promise((resolve) => {
      proc.once("exit", (code) => resolve(code));
      proc.kill("SIGTERM");
    });
  };

  await start();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    database,
    output: () => log,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async close() {
      await stop();
      await database.close();
    },
  };
}
