import { configFromEnv, ConfigError } from "./config";
import { StartError, startAtrium } from "./app";
import { DataFolderInUseError } from "../db/embedded";

const STOP_DEADLINE_MS = 30_000;

/** `npm start`: runs Atrium until SIGINT/SIGTERM, then stops without losing an interaction. */
async function main(): Promise<void> {
  const config = configFromEnv();
  // A failure in background work (a sweep, a poll) must not take every showroom down with it: it is
  // logged in full and the server goes on.
  process.on("unhandledRejection", (reason) => console.error("[atrium] unhandled failure in background work:", reason));
  const atrium = await startAtrium(config);
  console.log(`[atrium] ready. The demo showroom: ${atrium.url}/showroom/home-living`);
  console.log(
    `[atrium] database: ${atrium.database.embedded ? `embedded Postgres in ${config.dataDir}` : "DATABASE_URL"}`,
  );
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) {
      console.log(`[atrium] ${signal} again: exiting now`);
      process.exit(1);
    }
    console.log(`[atrium] ${signal}: letting visitors go and writing what is queued…`);
    // The CRM writer gives up after 10 s; nothing else may keep a stopping server alive for long.
    setTimeout(() => {
      console.error(`[atrium] still stopping after ${STOP_DEADLINE_MS / 1000} s: exiting now`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    atrium.stop().then(
      () => {
        console.log(`[atrium] stopped cleanly (${atrium.writer.stats.written} interactions written this run)`);
        process.exit(0);
      },
      (error: Error) => {
        console.error(`[atrium] error while stopping: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataFolderInUseError || error instanceof StartError)
    console.error(`[atrium] could not start: ${error.message}`);
  else console.error("[atrium] could not start:", error);
  process.exit(1);
});
