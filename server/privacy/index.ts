import type express from "express";
import type { Database } from "../../db/client";
import { privacyRouter } from "./api";
import { type PrivacyConfig, privacyConfigFromEnv } from "./config";
import { RetentionJob, retentionRules } from "./retention";

export interface Privacy {
  config: PrivacyConfig;
  /** Mount at /api, before the consoles' router (it serves /api/support/customers and /api/support/audit). */
  router: express.Router;
  stop(): Promise<void>;
}

/** Privacy for one server process: export, erasure and audit routes, and the retention sweep. */
export function startPrivacy(services: { db: Database; secret: string; log: (line: string) => void }): Privacy {
  const config = privacyConfigFromEnv();
  const retention = new RetentionJob(
    services.db,
    retentionRules(config),
    config.sweepIntervalSeconds * 1000,
    services.log,
  );
  retention.start();
  return {
    config,
    router: privacyRouter({ db: services.db, secret: services.secret }),
    stop: () => retention.stop(),
  };
}
