import { randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Room } from "@colyseus/sdk";
import { projectRoot } from "../db/paths";
import { PoseSender } from "../client/net/pose-sender";
import { countBotTraffic, joinBot, posesFor, sendBotPose, type BotTraffic } from "./bots";
import { printTable } from "./table";

export interface RoomBenchRow {
  avatars: number;
  /** Poses each bot sent per second, measured. */
  poseHz: number;
  patchHz: number;
  bytesPerClientPerSec: number;
  bytesPerAvatarUpdate: number;
  /** Median over the measured windows. */
  serverCpuPct: number;
  /** Each window's server CPU %, in the order measured (the host's noise shows here). */
  serverCpuPctWindows: number[];
  /** Of serverCpuPct (the median window), the part spent in the kernel (on loopback, that includes delivering to the bots' sockets). */
  serverSystemCpuPct: number;
  patchCpuMsP99: number;
  tickMsP99: number;
}

const WARMUP_MS = 3000;
/** The bench's server is its own: it reads /api/metrics as an operator, and all its bots come from one address. */
const METRICS_TOKEN = randomBytes(32).toString("base64url");

/**
 * Bots skip decoding patches: with hundreds of them on a 2-core machine, decoding would eat
 * the CPU the server is being measured on. They count the bytes the server sends instead.
 */
async function startServer(
  profileDir: string | undefined,
  serverLog: string | undefined,
  serverFlags: string[],
): Promise<{ baseUrl: string; child: ChildProcess; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "atrium-bench-"));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, ...serverFlags, join(projectRoot(), "dist", "server.js")], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      ATRIUM_DATA_DIR: dataDir,
      ATRIUM_METRICS_TOKEN: METRICS_TOKEN,
      ATRIUM_GUEST_TOKENS_PER_ADDRESS: "100000",
      DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (serverLog) {
    const file = createWriteStream(serverLog);
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  let log = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("[atrium] ready")) resolve();
    });
    child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`server exited (${code}):\n${log}`)));
  });
  return { baseUrl: `http://127.0.0.1:${port}`, child, dataDir };
}

type Metrics = {
  cpu: { user: number; system: number };
  rooms: Array<{ avatars: number; tickMsP99: number; patchMsP99: number }>;
};

async function metrics(baseUrl: string, windowSeconds?: number): Promise<Metrics> {
  const response = await fetch(`${baseUrl}/api/metrics${windowSeconds ? `?windowSeconds=${windowSeconds}` : ""}`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  if (!response.ok) throw new Error(`metrics: ${response.status} ${await response.text()}`);
  return (await response.json()) as Metrics;
}

interface Window {
  seconds: number;
  posesPerBotPerSec: number;
  bytes: number;
  patchBytes: number;
  patches: number;
  cpuPct: number;
  systemCpuPct: number;
  room: Metrics["rooms"][number] | undefined;
}

/** One measured window: the bots' counters and the server's CPU from its start to its end. */
async function measureWindow(
  baseUrl: string,
  measureMs: number,
  bots: Room[],
  stats: Map<Room, BotTraffic>,
  posesSent: () => number,
): Promise<Window> {
  for (const bot of bots) Object.assign(stats.get(bot)!, { bytes: 0, patchBytes: 0, patches: 0 });
  const posesBefore = posesSent();
  const cpuBefore = (await metrics(baseUrl)).cpu;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, measureMs));
  const after = await metrics(baseUrl, measureMs / 1000);
  const seconds = (performance.now() - started) / 1000;
  const all = bots.map((bot) => stats.get(bot)!);
  const sum = (pick: (s: BotTraffic) => number) => all.reduce((total, s) => total + pick(s), 0);
  const userMs = (after.cpu.user - cpuBefore.user) / 1000;
  const systemMs = (after.cpu.system - cpuBefore.system) / 1000;
  return {
    seconds,
    posesPerBotPerSec: (posesSent() - posesBefore) / bots.length / seconds,
    bytes: sum((s) => s.bytes),
    patchBytes: sum((s) => s.patchBytes),
    patches: sum((s) => s.patches),
    cpuPct: ((userMs + systemMs) / (seconds * 1000)) * 100,
    systemCpuPct: (systemMs / (seconds * 1000)) * 100,
    room: after.rooms.find((r) => r.avatars === bots.length) ?? after.rooms[0],
  };
}

async function measure(
  baseUrl: string,
  avatars: number,
  poseHz: number | "patch",
  measureMs: number,
  windows: number,
  stats: Map<Room, BotTraffic>,
  log: (line: string) => void,
): Promise<RoomBenchRow> {
  const bots: Room[] = [];
  for (let i = 0; i < avatars; i++) {
    bots.push(await joinBot(baseUrl, i, stats));
    if ((i + 1) % 50 === 0) log(`  ${i + 1}/${avatars} bots joined`);
  }
  const started = performance.now();
  let posesSent = 0;
  let timer: NodeJS.Timeout;
  if (poseHz === "patch") {
    // As the web client does: a pose when a patch arrives, and on its own when none comes.
    const senders = bots.map((bot, i) => {
      const sender = new PoseSender((bytes) => {
        bot.sendBytes("pose", bytes);
        posesSent++;
      });
      stats.get(bot)!.onPatch = () => {
        sender.patchArrived();
        sender.offer(performance.now(), posesFor(i, performance.now() - started));
      };
      return sender;
    });
    timer = setInterval(() => {
      const now = performance.now();
      senders.forEach((sender, i) => sender.offer(now, posesFor(i, now - started)));
    }, 10);
  } else {
    timer = setInterval(() => {
      const now = performance.now() - started;
      bots.forEach((bot, i) => sendBotPose(bot, posesFor(i, now)));
      posesSent += bots.length;
    }, 1000 / poseHz);
  }
  await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
  const measured: Window[] = [];
  for (let w = 0; w < windows; w++) {
    log(
      `  measuring ${measureMs / 1000} s with ${avatars} avatars moving${windows > 1 ? ` (window ${w + 1}/${windows})` : ""}…`,
    );
    measured.push(await measureWindow(baseUrl, measureMs, bots, stats, () => posesSent));
  }
  clearInterval(timer);
  for (const bot of bots) stats.get(bot)!.onPatch = undefined;

  // The window with the median CPU stands for the row; the others show the spread.
  const byCpu = [...measured].sort((a, b) => a.cpuPct - b.cpuPct);
  const median = byCpu[Math.floor((byCpu.length - 1) / 2)];
  if (!median) throw new Error("a room bench row needs at least one measurement window");
  const row: RoomBenchRow = {
    avatars,
    poseHz: median.posesPerBotPerSec,
    patchHz: median.patches / bots.length / median.seconds,
    bytesPerClientPerSec: median.bytes / bots.length / median.seconds,
    // Every bot moves every frame, so each patch carries an update of every avatar.
    bytesPerAvatarUpdate: median.patchBytes / median.patches / avatars,
    serverCpuPct: median.cpuPct,
    serverCpuPctWindows: measured.map((m) => m.cpuPct),
    serverSystemCpuPct: median.systemCpuPct,
    patchCpuMsP99: median.room?.patchMsP99 ?? 0,
    tickMsP99: median.room?.tickMsP99 ?? 0,
  };
  await Promise.all(bots.map((bot) => bot.leave(true).catch(() => undefined)));
  for (const bot of bots) stats.delete(bot);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return row;
}

/** `npm run bench -- room [--json] [--avatars 50,100,200] [--pose-hz N] [--seconds 10] [--windows 1] [--profile DIR] [--server-log FILE] [--server-flags "--trace-gc …"]`: bots send a pose per patch, as the web client does, unless --pose-hz fixes a rate. */
export async function runRoomBench(options: {
  json: boolean;
  avatars: number[];
  poseHz: number | "patch";
  seconds: number;
  windows: number;
  profileDir?: string;
  serverLog?: string;
  serverFlags?: string[];
}): Promise<RoomBenchRow[]> {
  const log = (line: string) => {
    if (!options.json) console.error(line);
  };
  const stats = countBotTraffic();
  log("[bench] starting the server (embedded Postgres in a temp folder)…");
  const server = await startServer(options.profileDir, options.serverLog, options.serverFlags ?? []);
  const rows: RoomBenchRow[] = [];
  try {
    for (const avatars of options.avatars) {
      log(`[bench] ${avatars} avatars`);
      rows.push(
        await measure(server.baseUrl, avatars, options.poseHz, options.seconds * 1000, options.windows, stats, log),
      );
    }
  } finally {
    server.child.kill("SIGTERM");
    await new Promise((resolve) => server.child.once("exit", resolve));
    rmSync(server.dataDir, { recursive: true, force: true });
  }
  if (options.json) for (const row of rows) console.log(JSON.stringify(row));
  else
    printTable(
      [
        "avatars",
        "pose Hz",
        "patch Hz",
        "bytes/client/s",
        "bytes/avatar update",
        "server CPU % (1 core)",
        "of it kernel %",
        ...(options.windows > 1 ? ["CPU % per window"] : []),
        "patch ms p99",
        "tick ms p99",
      ],
      rows.map((r) => [
        r.avatars,
        r.poseHz.toFixed(1),
        r.patchHz.toFixed(1),
        Math.round(r.bytesPerClientPerSec),
        r.bytesPerAvatarUpdate.toFixed(1),
        r.serverCpuPct.toFixed(1),
        r.serverSystemCpuPct.toFixed(1),
        ...(options.windows > 1 ? [r.serverCpuPctWindows.map((c) => c.toFixed(1)).join(" / ")] : []),
        r.patchCpuMsP99.toFixed(2),
        r.tickMsP99.toFixed(2),
      ]),
    );
  return rows;
}
