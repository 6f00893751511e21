// The lock file guarding an embedded Postgres data folder: two processes writing one PGlite
// folder would corrupt it, and PGlite has no locking of its own. Only node: imports, so a test
// can load this file in a child process with Node's type stripping.
import { randomUUID } from "node:crypto";
import {
  closeSync,
  fstatSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Raised when another running process already serves the same data folder. */
export class DataFolderInUseError extends Error {}

const LOCK_FILE = "atrium.lock";
/** A lock file naming no holder (empty, cut short, foreign) counts as being written until it is this old. */
const UNREADABLE_LOCK_GRACE_MS = 5_000;
/**
 * How long a new holder waits before checking its lock is still in place. A process that judged
 * the previous lock stale just before ours replaced it may still move ours aside (and put it
 * back); by then it has done so.
 */
const SETTLE_MS = 200;
const MAX_ATTEMPTS = 10;

/** What a lock file says: the holder's pid and, where /proc tells, when that process started. */
interface LockHolder {
  pid: number;
  started?: string;
}

interface FoundLock {
  text: string;
  holder: LockHolder | undefined;
  ageMs: number;
}

/**
 * The folders this process holds, by device and inode. A lock naming our own pid is ours only if
 * its folder is here: a container restarted on its data volume usually gives the new process the
 * pid the crashed one had. Process-wide by nature, like the pid in the lock file.
 */
const heldInThisProcess = new Set<string>();

/**
 * Takes the lock of a data folder, or throws DataFolderInUseError naming the process that has it.
 * A lock whose holder is gone (crash, kill -9, a restart that reused its pid) is taken over.
 * Returns the release, which removes the lock file if it is still ours.
 */
export async function lockDataFolder(dataDir: string): Promise<() => void> {
  const lockPath = join(dataDir, LOCK_FILE);
  const folder = folderIdentity(dataDir);
  const mine = JSON.stringify({ pid: process.pid, started: processStart(process.pid), token: randomUUID() });
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (createWithContent(lockPath, mine)) {
      heldInThisProcess.add(folder);
      await sleep(SETTLE_MS);
      if (readLock(lockPath)?.text === mine) return () => release(lockPath, folder, mine);
      heldInThisProcess.delete(folder);
      continue;
    }
    const found = readLock(lockPath);
    if (!found) continue;
    if (isInUse(found, heldInThisProcess.has(folder))) throw inUseError(dataDir, found);
    moveStaleLockAside(lockPath, found.text);
  }
  throw new Error(`Could not lock the data folder ${dataDir}: its lock file ${lockPath} kept changing`);
}

function release(lockPath: string, folder: string, mine: string): void {
  heldInThisProcess.delete(folder);
  if (readLock(lockPath)?.text !== mine) return;
  try {
    unlinkSync(lockPath);
  } catch (error) {
    if (!hasCode(error, "ENOENT")) throw error;
  }
}

/**
 * Creates the lock file with its whole content at once: a file written beside it is linked
 * into place, which fails if a lock file exists. Nobody ever sees it empty.
 */
function createWithContent(lockPath: string, content: string): boolean {
  const draft = `${lockPath}.${randomUUID()}.new`;
  writeFileSync(draft, content, { flag: "wx", mode: 0o600 });
  try {
    linkSync(draft, lockPath);
    return true;
  } catch (error) {
    if (hasCode(error, "EEXIST")) return false;
    throw error;
  } finally {
    unlinkSync(draft);
  }
}

/**
 * Clears the way after judging a lock stale. Of processes doing this at once, one rename of that
 * file succeeds; the others find it gone. A rename that caught something other than the lock
 * judged (another process's fresh lock) puts it back, and the next attempt judges that one.
 */
function moveStaleLockAside(lockPath: string, judged: string): void {
  const aside = `${lockPath}.${randomUUID()}.stale`;
  try {
    renameSync(lockPath, aside);
  } catch (error) {
    if (hasCode(error, "ENOENT")) return;
    throw error;
  }
  try {
    if (readFileSync(aside, "utf8") !== judged) putBack(aside, lockPath);
  } finally {
    unlinkSync(aside);
  }
}

function putBack(aside: string, lockPath: string): void {
  try {
    linkSync(aside, lockPath);
  } catch (error) {
    // A third process locked the folder meanwhile: the one we moved finds out when it checks its lock.
    if (!hasCode(error, "EEXIST")) throw error;
  }
}

function readLock(lockPath: string): FoundLock | undefined {
  let fd: number;
  try {
    fd = openSync(lockPath, "r");
  } catch (error) {
    if (hasCode(error, "ENOENT")) return undefined;
    throw error;
  }
  try {
    const text = readFileSync(fd, "utf8");
    return { text, holder: parseHolder(text), ageMs: Date.now() - fstatSync(fd).mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/** The holder a lock file names: JSON, or the bare pid that versions before this one wrote. */
function parseHolder(text: string): LockHolder | undefined {
  const trimmed = text.trim();
  if (/^[1-9]\d*$/.test(trimmed)) return { pid: Number(trimmed) };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { pid, started } = value as Record<string, unknown>;
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return typeof started === "string" ? { pid, started } : { pid };
}

function isInUse(found: FoundLock, folderHeldHere: boolean): boolean {
  if (!found.holder) return found.ageMs < UNREADABLE_LOCK_GRACE_MS;
  const { pid, started } = found.holder;
  if (pid === process.pid) {
    // Our pid, on a folder we do not hold: a process that had our pid before us, unless this very
    // process (same start) wrote it through another instance of this module, as a worker thread would.
    return folderHeldHere || (started !== undefined && started === processStart(pid));
  }
  if (!isRunning(pid)) return false;
  if (started === undefined) return true;
  const runningStarted = processStart(pid);
  return runningStarted === undefined || runningStarted === started;
}

function inUseError(dataDir: string, found: FoundLock): DataFolderInUseError {
  const advice =
    "Stop that process, or give this one its own folder with ATRIUM_DATA_DIR, or a server with DATABASE_URL.";
  if (!found.holder) {
    return new DataFolderInUseError(
      `The data folder ${dataDir} is being locked by another Atrium process (its lock file was written moments ago and names no pid yet). ${advice}`,
    );
  }
  if (found.holder.pid === process.pid) {
    return new DataFolderInUseError(
      `The data folder ${dataDir} is already open in this Atrium process (pid ${process.pid}).`,
    );
  }
  return new DataFolderInUseError(
    `The data folder ${dataDir} is in use by another Atrium process (pid ${found.holder.pid}). ${advice}`,
  );
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return hasCode(error, "EPERM");
  }
}

/**
 * When the process with this pid started, as boot id and start time in clock ticks (field 22 of
 * /proc/<pid>/stat); undefined where /proc does not say. A later process given the same pid, after a
 * restart or a reboot, has another value.
 */
function processStart(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Field 2, the command name, is in parentheses and may hold spaces and parentheses itself;
  // the fields after it start with field 3.
  const startTicks = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[22 - 3];
  if (startTicks === undefined || !/^\d+$/.test(startTicks)) return undefined;
  return `${bootId()}/${startTicks}`;
}

function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "";
  }
}

/** The folder itself, however it is reached (another spelling, a symlink, a bind mount). */
function folderIdentity(dataDir: string): string {
  const { dev, ino } = statSync(dataDir, { bigint: true });
  return `${dev}:${ino}`;
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && "code" in error && error.code === code;
}
