import type { AddressInfo } from "node:net";
import { Server } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import { RedisPresence } from "@colyseus/redis-presence";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { Encoder } from "@colyseus/schema";
import { listShowrooms, loadCatalog, readCatalogFile, seedShowroom } from "../db/catalog";
import type { Database } from "../db/client";
import { createDatabase, type DatabaseHandle } from "../db/client";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../db/embedded";
import { runMigrations } from "../db/migrate";
import { MAX_MESSAGE_BYTES } from "../schema/messages";
import { loadSigningSecret } from "./auth/secret";
import type { AtriumConfig } from "./config";
import { AssistantDirectory } from "./assistant/directory";
import { CrmWriter } from "./crm/writer";
import { apiRouter } from "./http/api";
import { startPrivacy } from "./privacy";
import { recordingRouter } from "./recording/api";
import { RecordingStore } from "./recording/store";
import { insertAdmitted } from "./privacy/gate";
import { guardRequests, MAX_BODY_BYTES } from "./http/front-door";
import { healthRouter } from "./http/health";
import { mountRouters } from "./http/routes";
import { securityHeaders } from "./http/security-headers";
import { clientApp, inlineStyleHashes } from "./http/static";
import { Throttles } from "./http/throttle";
import { singleLines } from "./log";
import type { RoomMetrics } from "./room/metrics";
import { SHOWROOM_ROOM, showroomRoomType } from "./room/showroom-room";
import { startSupport } from "./support";

export interface RunningAtrium {
  url: string;
  port: number;
  database: { url: string; embedded: boolean };
  writer: CrmWriter;
  db: DatabaseHandle;
  metrics: Map<string, RoomMetrics>;
  /** Graceful: visitors are let go, every queued interaction is written, the database closed. */
  stop(): Promise<void>;
}

/** A start that failed for a reason the operator can act on (the port is taken, the database can't be prepared). */
export class StartError extends Error {}

/** Patches of a full 250-visitor showroom exceed the 16 KB default and would be re-encoded. */
const ENCODER_BUFFER_BYTES = 256 * 1024;

/**
 * Starts the server. Whatever it acquires (the embedded database, the pool, the CRM writer, the
 * support dispatcher, the Colyseus server) is released in reverse order if a later step fails,
 * so a failed start leaves nothing running and the data folder free; stop() releases the same.
 */
export async function startAtrium(
  config: AtriumConfig,
  printLine: (line: string) => void = console.log,
): Promise<RunningAtrium> {
  // Log lines carry what clients chose (names, message types): one line each, whatever they hold.
  const log = singleLines(printLine);
  if (Encoder.BUFFER_SIZE < ENCODER_BUFFER_BYTES) Encoder.BUFFER_SIZE = ENCODER_BUFFER_BYTES;
  const held = new Releases(log);
  try {
    return await start(config, log, held);
  } catch (error) {
    await held.releaseAll();
    throw error;
  }
}

async function start(config: AtriumConfig, log: (line: string) => void, held: Releases): Promise<RunningAtrium> {
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    log(`[db] starting the embedded Postgres in ${config.dataDir}`);
    const started = await startEmbeddedPostgres(config.dataDir);
    held.add("the embedded Postgres", () => started.stop());
    embedded = started;
    databaseUrl = started.url;
  }
  const db = createDatabase(databaseUrl);
  held.add("the database pool", () => db.close());
  try {
    await runMigrations(db.pool);
  } catch (error) {
    throw new StartError(`Cannot prepare the database: ${(error as Error).message}`);
  }
  if (await seedShowroom(db.db, readCatalogFile())) log(`[db] seeded the demo showroom from data/demo-catalog.json`);
  const secret = await loadSigningSecret(db.db, config.secret);
  const writer = new CrmWriter(db.db, { log, insert: insertAdmitted });
  held.add("the CRM writer", () => writer.close());
  // Released after the game server (rooms seal their open chunk as they close), before the pool.
  const recordings = config.recording ? new RecordingStore(db.db, { log }) : undefined;
  if (recordings) held.add("the recordings", () => recordings.close());
  const throttles = new Throttles(db.db, { guestTokensPerAddress: config.guestTokensPerAddress });
  const support = await startSupport({ db: db.db, secret, log, throttles });
  held.add("live support", () => support.stop());
  const privacy = startPrivacy({ db: db.db, secret, log });
  held.add("the privacy sweeps", () => privacy.stop());
  const metrics = new Map<string, RoomMetrics>();
  const assistants = AssistantDirectory.forDataDir(db.db, config.dataDir, log);
  // Released after the game server (no room asks any more), before the pool the warm-up reads.
  held.add("the assistants", async () => assistants.dispose());

  const transport = new WebSocketTransport({
    // A hard cap well above any valid message: oversized ones still reach the validators, which
    // refuse them with a reason instead of the socket being cut.
    maxPayload: MAX_MESSAGE_BYTES * 8,
  });
  const server = new Server({
    transport,
    gracefullyShutdown: false,
    greet: false,
    publicAddress: config.publicAddress,
    ...(config.redisUrl
      ? { presence: new RedisPresence(config.redisUrl), driver: new RedisDriver(config.redisUrl) }
      : {}),
    express: (app) => {
      app.disable("x-powered-by");
      app.set("trust proxy", config.trustProxy);
      app.use(securityHeaders({ inlineStyleHashes: inlineStyleHashes(), multiProcess: config.redisUrl !== undefined }));
      mountRouters(app, {
        privacy: privacy.router,
        support: support.router,
        recordings: recordingRouter({ db: db.db }),
        api: apiRouter({
          db: db.db,
          secret,
          guestTokenTtlSeconds: config.guestTokenTtlSeconds,
          metrics,
          throttles,
          metricsToken: config.metricsToken,
          recordings,
        }),
        health: healthRouter(db.pool, log),
        client: clientApp({ serveSourceMaps: config.serveSourceMaps }),
      });
    },
  });
  held.add("the game server", () => server.gracefullyShutdown(false));
  server
    .define(
      SHOWROOM_ROOM,
      showroomRoomType({
        db: db.db,
        writer,
        secret,
        reconnectSeconds: config.reconnectSeconds,
        metrics,
        assistants,
        recordings,
        log,
      }),
    )
    .filterBy(["slug"]);
  await listen(server, transport, config.port, config.host);
  // Colyseus serves /matchmake/* ahead of Express: body limits and CORS apply to the HTTP server itself.
  if (transport.server)
    guardRequests(transport.server, {
      maxBodyBytes: MAX_BODY_BYTES,
      allowedOrigins: config.allowedOrigins,
      trustProxy: config.trustProxy,
    });
  const address = transport.server?.address() as AddressInfo | null;
  const port = address?.port ?? config.port;
  // Trained (or loaded from cache) in the background now, so the first visitor doesn't wait.
  void warmAssistants(db.db, assistants, log);

  let stopping: Promise<void> | undefined;
  return {
    url: `http://localhost:${port}`,
    port,
    database: { url: databaseUrl, embedded: embedded !== undefined },
    writer,
    db,
    metrics,
    stop() {
      stopping ??= held.releaseAll({ rethrow: true });
      return stopping;
    },
  };
}

/**
 * Colyseus's listen() settles only once the socket is bound: a port already taken comes as an
 * 'error' event on the HTTP server instead, which would otherwise go unhandled. Either ends the wait.
 */
async function listen(server: Server, transport: WebSocketTransport, port: number, host: string): Promise<void> {
  const http = transport.server;
  if (!http) throw new Error("the WebSocket transport has no HTTP server to listen on");
  let onError: ((error: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    onError = (error) => reject(new StartError(`Cannot listen on ${host}:${port}: ${error.message}`));
    http.once("error", onError);
  });
  try {
    await Promise.race([server.listen(port, host), failed]);
  } finally {
    if (onError) http.off("error", onError);
  }
}

/** What a start has acquired so far, released last-acquired first. */
class Releases {
  private readonly steps: Array<{ what: string; release: () => Promise<void> }> = [];

  constructor(private readonly log: (line: string) => void) {}

  add(what: string, release: () => Promise<void>): void {
    this.steps.push({ what, release });
  }

  /**
   * Releases everything, each step even when an earlier one failed. A failed start only logs
   * those failures (its own error is the one to report); stop() rethrows the first.
   */
  async releaseAll(options: { rethrow?: boolean } = {}): Promise<void> {
    let firstError: unknown;
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      try {
        await step.release();
      } catch (error) {
        firstError ??= error;
        this.log(`[atrium] could not release ${step.what}: ${(error as Error).message}`);
      }
    }
    if (options.rethrow && firstError !== undefined) throw firstError;
  }
}

async function warmAssistants(
  db: Database,
  assistants: AssistantDirectory,
  log: (line: string) => void,
): Promise<void> {
  try {
    for (const showroom of await listShowrooms(db)) {
      if (assistants.stopped) return;
      const catalog = await loadCatalog(db, showroom.slug);
      if (catalog) await assistants.get(catalog);
    }
  } catch (error) {
    log(`[assistant] could not prepare the assistants: ${(error as Error).message}`);
  }
}
