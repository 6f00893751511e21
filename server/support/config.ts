import { ConfigError, integer } from "../config";

/** Live support's knobs, from the environment (documented in ARCHITECTURE.md). */
export interface SupportConfig {
  /** An assignment with no agent next to the customer after this long goes back to the queue. */
  assignTimeoutSeconds: number;
  /** Offer queued tickets to eligible agents automatically (round robin) instead of waiting for an accept. */
  autoAssign: boolean;
  /** A customer gone from the showroom (after a server stop, say) this long without coming back abandons their open ticket. */
  customerReturnSeconds: number;
  /** A ticket whose agent's console has been silent this long while helping goes back to the queue. */
  agentGoneSeconds: number;
  /** How often each process sweeps expired assignments and auto-assigns. */
  dispatchIntervalMs: number;
  /** An agent whose console has not been heard from for this long is not offered tickets. */
  presenceTtlSeconds: number;
  staffSessionHours: number;
  /** Service levels: a ticket past one of these is flagged as breached in the figures. */
  sla: { waitSeconds: number; firstResponseSeconds: number; resolutionSeconds: number };
  /** Create a demo agent and manager on an installation without staff, printing their passwords once. */
  demoStaff: boolean;
}

function flag(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  if (raw === "1" || raw === "true") return true;
  if (raw === "0" || raw === "false") return false;
  throw new ConfigError(`${name} must be 1 or 0, got "${raw}"`);
}

export function supportConfigFromEnv(): SupportConfig {
  return {
    assignTimeoutSeconds: integer("ATRIUM_SUPPORT_ASSIGN_TIMEOUT_SECONDS", 90, 1, 3600),
    autoAssign: flag("ATRIUM_SUPPORT_AUTO_ASSIGN", false),
    customerReturnSeconds: integer("ATRIUM_SUPPORT_CUSTOMER_RETURN_SECONDS", 120, 0, 86_400),
    agentGoneSeconds: integer("ATRIUM_SUPPORT_AGENT_GONE_SECONDS", 120, 2, 86_400),
    dispatchIntervalMs: integer("ATRIUM_SUPPORT_DISPATCH_MS", 1000, 50, 60_000),
    presenceTtlSeconds: integer("ATRIUM_SUPPORT_PRESENCE_TTL_SECONDS", 30, 2, 3600),
    staffSessionHours: integer("ATRIUM_STAFF_SESSION_HOURS", 12, 1, 24 * 30),
    sla: {
      waitSeconds: integer("ATRIUM_SLA_WAIT_SECONDS", 120, 1, 86_400),
      firstResponseSeconds: integer("ATRIUM_SLA_FIRST_RESPONSE_SECONDS", 180, 1, 86_400),
      resolutionSeconds: integer("ATRIUM_SLA_RESOLUTION_SECONDS", 1800, 1, 7 * 86_400),
    },
    demoStaff: flag("ATRIUM_DEMO_STAFF", true),
  };
}
