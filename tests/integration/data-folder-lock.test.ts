import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { DataFolderInUseError, lockDataFolder } from "../../db/data-folder-lock";
import { projectRoot } from "../../db/paths";
import { nth } from "../support/items";

const root = mkdtempSync(join(tmpdir(), "atrium-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const newFolder = (): string => mkdtempSync(join(root, "data-"));
const lockFile = (dir: string): string => join(dir, "atrium.lock");

/** The pid a lock file names, in the current format or the bare pid older versions wrote. */
function lockedPid(dir: string): number | undefined {
  const value: unknown = JSON.parse(readFileSync(lockFile(dir), "utf8"));
  if (typeof value === "number") return value;
  if (typeof value === "object" && value !== null && "pid" in value && typeof value.pid === "number") return value.pid;
  return undefined;
}

const onLinux = existsSync("/proc/self/stat");

// A separate Atrium process taking the lock: it loads the lock module (Node strips its types), waits
// for the moment given so that all such processes try at once, reports, and holds the lock until its
// stdin closes.
const holderScript = join(root, "holder.mjs");
writeFileSync(
  holderScript,
  `import { DataFolderInUseError, lockDataFolder } from ${JSON.stringify(pathToFileURL(join(projectRoot(), "db", "data-folder-lock.ts")).href)};
const [dir, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt));
let outcome;
try {
  await lockDataFolder(dir);
  outcome = "won";
} catch (error) {
  outcome = error instanceof DataFolderInUseError ? "refused" : "failed: " + error.message;
}
process.stdout.write(outcome + "\\n");
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
`,
);

interface Holder {
  child: ChildProcessWithoutNullStreams;
  outcome: Promise<string>;
}

function startHolder(dir: string, startAt: number): Holder {
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", holderScript, dir, String(startAt)]);
  let output = "";
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const outcome = new Promise<string>((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("\n")) resolve(output.trim());
    });
    child.once("exit", (code) => resolve(`exited with ${code}: ${output.trim()}`));
  });
  return { child, outcome };
}

async function stopHolders(holders: Holder[]): Promise<void> {
  await Promise.all(
    holders.map(({ child }) => {
      if (child.exitCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin.end();
      return exited;
    }),
  );
}

/** A process that does nothing but run, to hold a pid. */
function startIdleProcess(): { pid: number; stop: () => Promise<void> } {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  if (child.pid === undefined) throw new Error("could not start an idle process");
  return {
    pid: child.pid,
    stop: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    },
  };
}

describe("the data folder lock", () => {
  it("takes over a lock left by an earlier process that had our pid, as after a container restart on its volume", async () => {
    const leftBehind = [
      String(process.pid),
      JSON.stringify({ pid: process.pid, started: "an earlier process", token: "earlier" }),
    ];
    for (const content of leftBehind) {
      const dir = newFolder();
      writeFileSync(lockFile(dir), content);
      const release = await lockDataFolder(dir);
      expect(lockedPid(dir)).toBe(process.pid);
      expect(readFileSync(lockFile(dir), "utf8")).not.toBe(content);
      release();
      expect(existsSync(lockFile(dir))).toBe(false);
    }
  });

  it.runIf(onLinux)("takes over a lock whose pid now belongs to a process that started later", async () => {
    const other = startIdleProcess();
    try {
      const dir = newFolder();
      writeFileSync(lockFile(dir), JSON.stringify({ pid: other.pid, started: "an earlier process", token: "earlier" }));
      const release = await lockDataFolder(dir);
      expect(lockedPid(dir)).toBe(process.pid);
      release();
    } finally {
      await other.stop();
    }
  });

  it("refuses a folder another running process holds, naming its pid", async () => {
    const dir = newFolder();
    const holder = startHolder(dir, 0);
    try {
      expect(await holder.outcome).toBe("won");
      const refusal = lockDataFolder(dir);
      await expect(refusal).rejects.toBeInstanceOf(DataFolderInUseError);
      await expect(refusal).rejects.toThrow(
        `The data folder ${dir} is in use by another Atrium process (pid ${holder.child.pid})`,
      );
    } finally {
      await stopHolders([holder]);
    }
    // A lock in the format older versions wrote, by a process still running.
    const other = startIdleProcess();
    try {
      const olderFormat = newFolder();
      writeFileSync(lockFile(olderFormat), String(other.pid));
      await expect(lockDataFolder(olderFormat)).rejects.toThrow(`(pid ${other.pid})`);
    } finally {
      await other.stop();
    }
  });

  it("refuses the same folder opened twice in this process, also by another path to it, until released", async () => {
    const dir = newFolder();
    const release = await lockDataFolder(dir);
    await expect(lockDataFolder(dir)).rejects.toBeInstanceOf(DataFolderInUseError);
    const otherPath = join(root, `link-to-${dir.split("/").pop()}`);
    symlinkSync(dir, otherPath);
    await expect(lockDataFolder(otherPath)).rejects.toBeInstanceOf(DataFolderInUseError);
    release();
    const again = await lockDataFolder(otherPath);
    again();
    expect(existsSync(lockFile(dir))).toBe(false);
  });

  it("lets only one of two opens of one folder started together in this process through", async () => {
    const dir = newFolder();
    const [first, second] = await Promise.allSettled([lockDataFolder(dir), lockDataFolder(dir)]);
    const outcomes = [first.status, second.status].sort();
    expect(outcomes).toEqual(["fulfilled", "rejected"]);
    for (const result of [first, second]) {
      if (result.status === "fulfilled") result.value();
      else expect(result.reason).toBeInstanceOf(DataFolderInUseError);
    }
  });

  it("treats an empty or garbled lock file as one being written: refused while recent, taken over once old", async () => {
    for (const content of ["", '{"pi']) {
      const dir = newFolder();
      writeFileSync(lockFile(dir), content);
      await expect(lockDataFolder(dir)).rejects.toBeInstanceOf(DataFolderInUseError);
      expect(readFileSync(lockFile(dir), "utf8")).toBe(content);

      const aMinuteAgo = new Date(Date.now() - 60_000);
      utimesSync(lockFile(dir), aMinuteAgo, aMinuteAgo);
      const release = await lockDataFolder(dir);
      expect(lockedPid(dir)).toBe(process.pid);
      release();
    }
  });

  it("leaves a lock file that is no longer its own when released", async () => {
    const dir = newFolder();
    const release = await lockDataFolder(dir);
    writeFileSync(lockFile(dir), JSON.stringify({ pid: process.pid + 1, started: "someone else", token: "other" }));
    release();
    expect(existsSync(lockFile(dir))).toBe(true);
  });

  it("of several processes taking over one stale lock at the same moment, exactly one gets the folder", async () => {
    const processes = 6;
    for (let round = 0; round < 8; round++) {
      const dir = newFolder();
      if (round % 2 === 0) {
        // A pid no process can have (above any pid_max): its holder is gone.
        writeFileSync(lockFile(dir), JSON.stringify({ pid: 2 ** 31 - 2, started: "long ago", token: "crashed" }));
      } else {
        // An empty lock file left long ago (older versions created it empty, then wrote the pid).
        writeFileSync(lockFile(dir), "");
        const anHourAgo = new Date(Date.now() - 3_600_000);
        utimesSync(lockFile(dir), anHourAgo, anHourAgo);
      }
      const startAt = Date.now() + 700;
      const holders = Array.from({ length: processes }, () => startHolder(dir, startAt));
      try {
        const outcomes = await Promise.all(holders.map((h) => h.outcome));
        expect(
          outcomes.filter((o) => o === "won"),
          `round ${round}: ${outcomes.join(", ")}`,
        ).toHaveLength(1);
        expect(
          outcomes.filter((o) => o === "refused"),
          `round ${round}: ${outcomes.join(", ")}`,
        ).toHaveLength(processes - 1);
        const winner = nth(holders, outcomes.indexOf("won"), "the winner");
        expect(lockedPid(dir)).toBe(winner.child.pid);
        expect(readdirSync(dir)).toEqual(["atrium.lock"]);
      } finally {
        await stopHolders(holders);
      }
    }
  }, 60_000);
});
