import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../db/paths";
import { freePort } from "../support/server";

/** The built server, as `npm start` runs it, on the embedded database in dataDir. */
function startServer(port: number, dataDir: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [join(projectRoot(), "dist", "server.js")], {
    cwd: projectRoot(),
    env: {
      ...process.env,
      DATABASE_URL: "",
      ATRIUM_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      ATRIUM_DEMO_STAFF: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

function exitOf(child: ChildProcess, timeoutMs: number, output: () => string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function ready(child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const check = () => {
      if (!output().includes("[atrium] ready")) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} during start:\n${output()}`));
    });
    check();
  });
}

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const blocker = createServer();
    blocker.once("error", reject);
    blocker.listen(port, "127.0.0.1", () => resolve(blocker));
  });
}

describe("starting the server", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "atrium-startup-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("on a port already taken exits at once, saying so, and leaves the data folder free for the next start", async () => {
    const port = await freePort();
    const blocker = await occupy(port);
    try {
      const failed = startServer(port, dataDir);
      // The embedded database starts and migrates first; then the listen fails.
      expect(await exitOf(failed.child, 60_000, failed.output)).toBe(1);
      expect(failed.output()).toContain(`[atrium] could not start: Cannot listen on 127.0.0.1:${port}`);
      expect(failed.output()).toContain("EADDRINUSE");
      expect(failed.output()).not.toContain("[atrium] ready");
      // Released on the way out, not merely left behind by a dead process.
      expect(existsSync(join(dataDir, "atrium.lock"))).toBe(false);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }

    const second = startServer(port, dataDir);
    try {
      await ready(second.child, 60_000, second.output);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toEqual({ ok: true });
    } finally {
      second.child.kill("SIGTERM");
      expect(await exitOf(second.child, 30_000, second.output)).toBe(0);
    }
  });
});
