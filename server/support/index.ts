import type express from "express";
import type { Database } from "../../db/client";
import { supportRouter } from "./api";
import { supportConfigFromEnv, type SupportConfig } from "./config";
import { ensureDemoStaff } from "./demo-staff";
import { SupportDispatcher } from "./dispatcher";
import type { Throttles } from "../http/throttle";

export interface LiveSupport {
  config: SupportConfig;
  /** Mount at /api/support. */
  router: express.Router;
  stop(): Promise<void>;
}

/** Live support for one server process: the consoles' API, the dispatcher, the demo staff on a first start. */
export async function startSupport(services: {
  db: Database;
  secret: string;
  log: (line: string) => void;
  throttles: Throttles;
}): Promise<LiveSupport> {
  const config = supportConfigFromEnv();
  if (config.demoStaff) await ensureDemoStaff(services.db, services.log);
  const dispatcher = new SupportDispatcher(services.db, config, services.log);
  dispatcher.start();
  return {
    config,
    router: supportRouter({
      db: services.db,
      secret: services.secret,
      config,
      throttles: services.throttles,
      log: services.log,
    }),
    stop: () => dispatcher.stop(),
  };
}
