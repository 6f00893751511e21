import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { DataFolderInUseError, lockDataFolder } from "../../db/data-folder-lock";

// Runs just before the lock module's next rename, standing for another process that acts between
// this process judging a lock stale and moving it aside.
const beforeRename = vi.hoisted(() => ({ once: undefined as (() => void) | undefined }));
vi.mock("node:fs", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:fs")>();
  return {
    ...original,
    renameSync: (from: fs.PathLike, to: fs.PathLike) => {
      const act = beforeRename.once;
      beforeRename.once = undefined;
      act?.();
      original.renameSync(from, to);
    },
  };
});

const root = fs.mkdtempSync(join(tmpdir(), "atrium-lock-takeover-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("taking over a stale data folder lock", () => {
  it("leaves the lock of a process that took the folder over first in place, and refuses", async () => {
    const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    try {
      const dir = fs.mkdtempSync(join(root, "data-"));
      const lockPath = join(dir, "atrium.lock");
      fs.writeFileSync(lockPath, JSON.stringify({ pid: 2 ** 31 - 2, started: "long ago", token: "crashed" }));
      const othersLock = JSON.stringify({ pid: other.pid, token: "first" });
      beforeRename.once = () => fs.writeFileSync(lockPath, othersLock);

      await expect(lockDataFolder(dir)).rejects.toThrow(DataFolderInUseError);
      await expect(lockDataFolder(dir)).rejects.toThrow(`(pid ${other.pid})`);
      expect(fs.readFileSync(lockPath, "utf8")).toBe(othersLock);
      expect(fs.readdirSync(dir)).toEqual(["atrium.lock"]);
    } finally {
      other.kill();
    }
  });
});
