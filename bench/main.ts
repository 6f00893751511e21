// `npm run bench -- <room|replay|client|nlp> [--json] [options]`: benchmarks run by hand, never in tests.
import { runRoomBench } from "./room";

const USAGE = `usage: npm run bench -- <room|replay|client|nlp> [--json]
  room    bots move head and hands every frame and send their pose on each patch, as the
          web client does; --avatars 50,100,200, --pose-hz N sends at a fixed rate instead
          --seconds 10 (measured window), --windows 1 (windows per row: the row shows
          the median window's CPU and, with more than one, every window's)
          --profile DIR writes the server's CPU profile there, --server-log FILE its output,
          --server-flags "..." passes Node flags to the server (e.g. --trace-gc)
  replay  records 200 moving avatars for an hour faster than real time (--seconds N, --avatars N),
          stores it, then seeks into it and decodes it: bytes per avatar-hour, recorder and seek costs
  client  renders the showroom page with 10 and 200 bot avatars
  nlp     assistant classification latency and training time`;

async function main(): Promise<void> {
  const [suite, ...rest] = process.argv.slice(2);
  const json = rest.includes("--json");
  const option = (name: string) => {
    const index = rest.indexOf(`--${name}`);
    return index >= 0 ? rest[index + 1] : undefined;
  };
  switch (suite) {
    case "room": {
      const avatars = (option("avatars") ?? "50,100,200").split(",").map(Number);
      if (avatars.some((n) => !Number.isInteger(n) || n < 1 || n > 250))
        throw new Error("--avatars takes whole numbers from 1 to 250, e.g. 50,100,200");
      const fixedHz = option("pose-hz");
      const poseHz = fixedHz === undefined ? "patch" : Number(fixedHz);
      if (poseHz !== "patch" && (!Number.isFinite(poseHz) || poseHz < 1 || poseHz > 120))
        throw new Error("--pose-hz takes a rate from 1 to 120");
      const seconds = Number(option("seconds") ?? "10");
      if (!Number.isFinite(seconds) || seconds < 2 || seconds > 600)
        throw new Error("--seconds takes a window from 2 to 600");
      const windows = Number(option("windows") ?? "1");
      if (!Number.isInteger(windows) || windows < 1 || windows > 20)
        throw new Error("--windows takes a whole number from 1 to 20");
      await runRoomBench({
        json,
        avatars,
        poseHz,
        seconds,
        windows,
        profileDir: option("profile"),
        serverLog: option("server-log"),
        serverFlags: option("server-flags")?.split(/\s+/).filter(Boolean),
      });
      break;
    }
    case "replay": {
      const { runReplayBench } = await import("./replay");
      const seconds = Number(option("seconds") ?? "3600");
      if (!Number.isFinite(seconds) || seconds < 5 || seconds > 36_000)
        throw new Error("--seconds takes a recording length from 5 to 36000");
      const avatars = Number(option("avatars") ?? "200");
      if (!Number.isInteger(avatars) || avatars < 1 || avatars > 250)
        throw new Error("--avatars takes a whole number from 1 to 250");
      await runReplayBench({ json, avatars, seconds, seeks: 200 });
      break;
    }
    case "client": {
      const { runClientBench } = await import("./client");
      await runClientBench({ json });
      break;
    }
    case "nlp": {
      const { runNlpBench } = await import("./nlp");
      await runNlpBench({ json });
      break;
    }
    default:
      console.error(USAGE);
      process.exit(suite ? 2 : 0);
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(`[bench] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
