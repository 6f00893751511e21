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
import { insertAdmitted } from "./privacy/gate";
import { guardRequests, MAX_BODY_BYTES } from "./http/front-door";
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

// Patches of a full 250-visitor showroom exceed the 16 KB default and would be re-encoded.
Encoder.BUFFER_SIZE = 256 * 1024;

export async function startAtrium(
  config: AtriumConfig,
  printLine: (line: string) => void = console.log,
): Promise<RunningAtrium> {
  // Log lines carry what clients chose (names, message types): one line each, whatever they hold.
  const log = singleLines(printLine);
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    log(`[db] starting the embedded Postgres in ${config.dataDir}`);
    embedded = await startEmbeddedPostgres(config.dataDir);
    databaseUrl = embedded.url;
  }
  const db = createDatabase(databaseUrl);
  try {
    await runMigrations(db.pool);
  } catch (error) {
    await db.close();
    await embedded?.stop();
    throw new Error(`Cannot prepare the database: ${(error as Error).message}`);
  }
  if (await seedShowroom(db.db, readCatalogFile())) log(`[db] seeded the demo showroom from data/demo-catalog.json`);
  const secret = await loadSigningSecret(db.db, config.secret);
  const writer = new CrmWriter(db.db, { log, insert: insertAdmitted });
  const throttles = new Throttles(db.db, { guestTokensPerAddress: config.guestTokensPerAddress });
  const support = await startSupport({ db: db.db, secret, log, throttles });
  const privacy = startPrivacy({ db: db.db, secret, log });
  const metrics = new Map<string, RoomMetrics>();
  const assistants = AssistantDirectory.forDataDir(db.db, config.dataDir, log);
  // Trained (or loaded from cache) in the background now, so the first visitor doesn't wait.
  void warmAssistants(db.db, assistants, log);

  const server = new Server({
    // A hard cap well above any valid message: oversized ones still reach the validators, which
    // refuse them with a reason instead of the socket being cut.
    transport: new WebSocketTransport({ maxPayload: MAX_MESSAGE_BYTES * 8 }),
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
      app.use("/api", privacy.router);
      app.use("/api/support", support.router);
      app.use(
        "/api",
        apiRouter({
          db: db.db,
          secret,
          guestTokenTtlSeconds: config.guestTokenTtlSeconds,
          metrics,
          throttles,
          metricsToken: config.metricsToken,
        }),
      );
      app.get("/healthz", (_req, res) => {
        db.pool.query("SELECT 1").then(
          () => res.json({ ok: true }),
          (error: Error) => {
            log(`[health] the database does not answer: ${error.message}`);
            res.status(503).json({ ok: false, message: "The database does not answer." });
          },
        );
      });
      app.use(clientApp({ serveSourceMaps: config.serveSourceMaps }));
    },
  });
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
        log,
      }),
    )
    .filterBy(["slug"]);
  await server.listen(config.port, config.host);
  // Colyseus serves /matchmake/* ahead of Express: body limits and CORS apply to the HTTP server itself.
  if (server.transport.server)
    guardRequests(server.transport.server, { maxBodyBytes: MAX_BODY_BYTES, allowedOrigins: config.allowedOrigins });
  const address = server.transport.server?.address() as AddressInfo | null;
  const port = address?.port ?? config.port;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://localhost:${port}`,
    port,
    database: { url: databaseUrl, embedded: embedded !== undefined },
    writer,
    db,
    metrics,
    stop() {
      stopping ??= (async () => {
        await server.gracefullyShutdown(false);
        await support.stop();
        await privacy.stop();
        await writer.close();
        await db.close();
        await embedded?.stop();
      })();
      return stopping;
    },
  };
}

async function warmAssistants(
  db: Database,
  assistants: AssistantDirectory,
  log: (line: string) => void,
): Promise<void> {
  try {
    for (const showroom of await listShowrooms(db)) {
      const catalog = await loadCatalog(db, showroom.slug);
      if (catalog) await assistants.get(catalog);
    }
  } catch (error) {
    log(`[assistant] could not prepare the assistants: ${(error as Error).message}`);
  }
}
