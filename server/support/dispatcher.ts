import type { Database } from "../../db/client";
import type { SupportConfig } from "./config";
import {
  abandonTicketsOfDepartedCustomers,
  assignNext,
  expireAssignments,
  returnTicketsOfSilentAgents,
} from "./tickets";

/** Auto-assign at most this many tickets per tick, so one tick never runs long. */
const MAX_ASSIGNMENTS_PER_TICK = 20;

/**
 * Every process runs one: on each tick it returns expired assignments and the tickets of agents
 * whose console went silent to the queue, closes the tickets of customers who left and did not
 * come back (after a server stop) and, in auto-assign mode, pairs queued tickets with eligible agents. All of it is conditional SQL with
 * SKIP LOCKED, so processes running it side by side never do the same work twice.
 */
export class SupportDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;

  constructor(
    private readonly db: Database,
    private readonly config: SupportConfig,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined));
    }, this.config.dispatchIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async tick(): Promise<void> {
    try {
      for (const ticket of await expireAssignments(this.db, this.config.assignTimeoutSeconds)) {
        this.log(
          `[support] ticket ${ticket.id} went back to the queue: no agent arrived within ${this.config.assignTimeoutSeconds} s`,
        );
      }
      for (const ticket of await returnTicketsOfSilentAgents(this.db, this.config.agentGoneSeconds)) {
        this.log(
          `[support] ticket ${ticket.id} went back to the queue: its agent's console was silent for ${this.config.agentGoneSeconds} s`,
        );
      }
      for (const ticket of await abandonTicketsOfDepartedCustomers(this.db, this.config.customerReturnSeconds)) {
        this.log(
          `[support] ticket ${ticket.id} abandoned: the customer did not come back within ${this.config.customerReturnSeconds} s`,
        );
      }
      if (this.config.autoAssign) {
        for (let i = 0; i < MAX_ASSIGNMENTS_PER_TICK; i++) {
          const ticket = await assignNext(this.db, this.config.presenceTtlSeconds);
          if (!ticket) break;
          this.log(`[support] ticket ${ticket.id} offered to agent ${ticket.assignedAgentId}`);
        }
      }
      if (this.failures > 0) this.log(`[support] dispatcher reaches the database again`);
      this.failures = 0;
    } catch (error) {
      if (this.failures++ % 30 === 0) this.log(`[support] dispatcher could not run: ${(error as Error).message}`);
    }
  }
}
