import {
  CloseCode,
  Room,
  ServerError,
  matchMaker,
  type AuthContext,
  type Client,
  type IRoomCache,
  type RoomException,
  type RoomMethodName,
} from "@colyseus/core";
import { readAvatarPose, Role, type Hand } from "../../ecs";
import { loadCatalog, type Catalog } from "../../db/catalog";
import type { Database } from "../../db/client";
import { uuidv7 } from "uuidv7";
import {
  ASSISTANT_MENTION,
  CLIENT_MESSAGE_ID,
  CLIENT_MESSAGE_TYPES,
  validateDisplayName,
  validators,
  type ClientMessageType,
  type ClientMessages,
  type ServerMessages,
} from "../../schema/messages";
import { AvatarState, PATCH_INTERVAL_MS, ProductState, ShowroomState } from "../../schema/state";
import { verifyToken, InvalidTokenError, type TokenClaims } from "../auth/tokens";
import { interaction, type VisitContext } from "../crm/interactions";
import type { CrmWriter } from "../crm/writer";
import { openVisit } from "../crm/visits";
import { telemetryOf } from "./telemetry";
import { ClientGuard, MAX_FRAMES_PER_SECOND } from "./client-guard";
import { RoomMetrics } from "./metrics";
import { ShowroomSimulation, type ShowroomEvent } from "./simulation";
import type { AssistantDirectory } from "../assistant/directory";
import { AssistantDesk, ASSISTANT_SESSION_ID } from "./assistant-desk";
import { SupportChannel, type SupportMessageType } from "./support-channel";
import { syncDirtyToState, writeAvatarPose, writeProductTransform } from "./state-sync";

export const SHOWROOM_ROOM = "showroom";

/** Close codes the showroom uses beyond Colyseus's own. */
export const ShowroomCloseCode = { TooManyInvalidMessages: 4400 } as const;

export interface RoomServices {
  db: Database;
  writer: CrmWriter;
  secret: string;
  reconnectSeconds: number;
  /** Rooms report their tick and patch timings here (bench, /api/metrics). */
  metrics: Map<string, RoomMetrics>;
  assistants: AssistantDirectory;
  log: (line: string) => void;
}

/** How often a room looks for catalog changes (prices, stock, products) to follow. */
const CATALOG_CHECK_MS = 30_000;

interface Visitor {
  claims: TokenClaims;
  name: string;
  guard: ClientGuard;
  /** Undefined for staff: only customers have a CRM visit. */
  visit: VisitContext | undefined;
  disconnectedByServer?: boolean;
}

type ShowroomClient = Client<{ userData: Visitor; messages: ServerMessages }>;

interface CreateOptions {
  slug?: unknown;
}

interface JoinRequest {
  token?: unknown;
  name?: unknown;
  role?: unknown;
}

/**
 * The room class for one showroom, bound to the services it needs. A factory rather than
 * module state, so several servers (tests, processes) never share anything by accident.
 */
export function createShowroomRoom(services: RoomServices) {
  return class ShowroomRoom extends Room<{ state: ShowroomState }> {
    private catalog!: Catalog;
    private sim!: ShowroomSimulation;
    private metrics = new RoomMetrics();
    private capacity = 0;
    private support!: SupportChannel;
    private desk!: AssistantDesk;
    /**
     * Each customer's visit by session, from join to onLeave: a dropped visitor whose seat is held
     * is not among `clients`, yet what they did before dropping still lands in the CRM.
     */
    private readonly visitsBySession = new Map<string, VisitContext>();
    private stopping = false;
    private lastTickAt = 0;

    override async onCreate(options: CreateOptions): Promise<void> {
      const slug = typeof options.slug === "string" ? options.slug : "";
      const catalog = slug ? await loadCatalog(services.db, slug) : undefined;
      if (!catalog) throw new ServerError(404, `There is no showroom called "${slug}".`);
      // One room per showroom: a second one would split its visitors into two worlds.
      // filterBy(["slug"]) stores the slug on the room's listing, where the query can match it.
      const listing: Partial<IRoomCache> & { slug: string } = { name: SHOWROOM_ROOM, slug };
      const existing = await matchMaker.query(listing);
      if (existing.some((room) => room.roomId !== this.roomId)) {
        throw new ServerError(
          503,
          `The showroom "${catalog.showroom.name.en}" is full. Please try again in a few minutes.`,
        );
      }
      // Everything awaited comes before the state is set: Colyseus's patch timer already runs
      // while onCreate awaits. The assistant is not awaited: its model may still be loading in
      // its worker, and a slow onCreate would let visitors arriving together outwait Colyseus's
      // create lock (0.5 s) and open a second room. A question asked early waits for the model.
      this.desk = new AssistantDesk(() => services.assistants.get(this.catalog), services.writer, services.log);
      this.catalog = catalog;
      this.capacity = catalog.showroom.capacity;
      this.maxClients = this.capacity;
      // A backstop under the per-type limits for every frame, requests for unknown types included
      // (those get Colyseus's "no handler" reply and never reach the room's door); the per-type
      // limits add up to well under this.
      this.maxMessagesPerSecond = MAX_FRAMES_PER_SECOND;
      this.sim = new ShowroomSimulation(catalog, this.capacity);
      this.support = new SupportChannel(services, catalog, this.sim, () => this.clients);
      const state = new ShowroomState();
      state.slug = slug;
      for (const { sku, position } of catalog.products) {
        const product = new ProductState();
        product.sku = sku;
        writeProductTransform(product, [position[0], position[1], position[2], 0, 0, 0, 1]);
        state.products.set(sku, product);
      }
      this.state = state;
      this.placeAssistant();
      this.clock.setInterval(() => void this.followCatalogChanges(), CATALOG_CHECK_MS);
      // One clock: each tick steps the world and then sends the patch, so a pose that arrived
      // before the tick is in that patch. (The interval first: with none, Colyseus would start
      // its own clock when the patch timer is switched off.)
      this.lastTickAt = performance.now();
      this.setTimestep(() => this.tick(), PATCH_INTERVAL_MS);
      this.patchRate = null;
      this.registerMessages();
      services.metrics.set(this.roomId, this.metrics);
      services.log(`[room] showroom "${slug}" opened (room ${this.roomId}, capacity ${this.capacity})`);
    }

    override async onAuth(_client: Client, options: JoinRequest, _context: AuthContext): Promise<Visitor> {
      let claims: TokenClaims;
      try {
        claims = verifyToken(services.secret, options?.token);
      } catch (error) {
        if (error instanceof InvalidTokenError)
          throw new ServerError(401, `Cannot enter the showroom: ${error.message}.`);
        throw error;
      }
      if (options.role !== undefined && options.role !== claims.role) {
        throw new ServerError(
          403,
          `Cannot enter as "${String(options.role)}": this token was signed for a ${claims.role}.`,
        );
      }
      if (claims.role === "manager")
        throw new ServerError(403, "Managers watch showrooms from the console; only customers and agents enter.");
      const name = validateDisplayName(options.name);
      if (!name.ok) throw new ServerError(400, `Cannot enter the showroom: ${name.reason}.`);
      await this.support.authorize(_client, claims, options);
      return { claims, name: name.value, guard: new ClientGuard(), visit: undefined };
    }

    override async onJoin(client: ShowroomClient, _options: JoinRequest, visitor: Visitor): Promise<void> {
      if (this.visitorCount >= this.capacity) {
        throw new ServerError(
          503,
          `The showroom "${this.catalog.showroom.name.en}" is full (${this.capacity} visitors). Please try again in a few minutes.`,
        );
      }
      client.userData = visitor;
      const role = visitor.claims.role === "agent" ? Role.Agent : Role.Customer;
      if (role === Role.Customer) {
        const visit = await this.openVisit(visitor, client.sessionId);
        if (!this.clients.includes(client)) {
          // The room let this client go while the visit was being opened (it is closing): onLeave
          // has run without a visit to close, so it is closed here.
          services.writer.record(interaction(visit, "session_left", { sessionId: client.sessionId, code: null }));
          services.writer.endVisit(visit.visitId);
          throw new ServerError(503, "The showroom closed while you were entering. Please try again.");
        }
        visitor.visit = visit;
        this.visitsBySession.set(client.sessionId, visit);
      }
      const avatar = new AvatarState();
      avatar.name = visitor.name || (role === Role.Agent ? "Agent" : "Guest");
      avatar.role = role;
      avatar.connected = true;
      const eid = this.sim.addVisitor(client.sessionId, role, this.support.arrivalPose(client.sessionId));
      // Written now, not at the next patch: the joiner's full state may be sent before it.
      const spawnPose = new Float64Array(21);
      readAvatarPose(this.sim.world, eid, spawnPose);
      writeAvatarPose(avatar, spawnPose);
      this.state.avatars.set(client.sessionId, avatar);
      if (visitor.visit)
        services.writer.record(
          interaction(visitor.visit, "session_joined", {
            sessionId: client.sessionId,
            roomId: this.roomId,
            name: avatar.name,
          }),
        );
      client.send("welcome", {
        sessionId: client.sessionId,
        customerId: visitor.visit?.customerId ?? "",
        visitId: visitor.visit?.visitId ?? "",
        name: avatar.name,
        resumed: false,
      });
      void this.support.joined(client);
    }

    /** A lost connection keeps the avatar (shown as disconnected) for reconnectSeconds; onLeave follows if nobody returns. */
    override onDrop(client: ShowroomClient): void {
      // A client we disconnected for misbehaving gets no seat held.
      if (client.userData?.disconnectedByServer || services.reconnectSeconds === 0) return;
      const avatar = this.state.avatars.get(client.sessionId);
      if (avatar) avatar.connected = false;
      this.sim.setAway(client.sessionId, true);
      const seat = this.allowReconnection(client, services.reconnectSeconds);
      // Refused while the room closes, or expired: either way onLeave follows.
      Promise.resolve(seat).catch(() => undefined);
    }

    override onReconnect(client: ShowroomClient): void {
      const avatar = this.state.avatars.get(client.sessionId);
      if (avatar) avatar.connected = true;
      this.sim.setAway(client.sessionId, false);
      const visitor = client.userData;
      client.send("welcome", {
        sessionId: client.sessionId,
        customerId: visitor?.visit?.customerId ?? "",
        visitId: visitor?.visit?.visitId ?? "",
        name: avatar?.name ?? "",
        resumed: true,
      });
    }

    override onLeave(client: ShowroomClient, code?: number): void {
      // Sent away by a stopping server, or dropped just before it stopped: either way not their choice.
      this.support.left(
        client,
        this.stopping || code === CloseCode.SERVER_SHUTDOWN || code === CloseCode.MAY_TRY_RECONNECT,
      );
      const visit = client.userData?.visit;
      this.handleEvents(this.sim.removeVisitor(client.sessionId));
      this.visitsBySession.delete(client.sessionId);
      this.state.avatars.delete(client.sessionId);
      if (visit) {
        services.writer.record(interaction(visit, "session_left", { sessionId: client.sessionId, code: code ?? null }));
        services.writer.endVisit(visit.visitId);
      }
    }

    /** The server is stopping: every visitor about to leave is being sent away, not leaving. */
    override onBeforeShutdown(): void {
      this.stopping = true;
      super.onBeforeShutdown();
    }

    override onBeforePatch(): void {
      // Colyseus runs its patch timer even for a room whose onCreate failed.
      if (!this.sim || !this.state) return;
      const started = performance.now();
      syncDirtyToState(this.sim, this.state);
      this.metrics.syncMs.add(performance.now() - started);
    }

    override broadcastPatch(): boolean {
      const started = performance.now();
      const changed = super.broadcastPatch();
      this.metrics.patchMs.add(performance.now() - started);
      return changed;
    }

    /** Logged, never fatal: one faulty handler must not take down every showroom in the process. */
    override onUncaughtException(error: RoomException, methodName: RoomMethodName): void {
      services.log(
        `[room] error in ${methodName} of room ${this.roomId}: ${error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : error.message}`,
      );
    }

    override onDispose(): void {
      if (!this.sim) return;
      this.support.dispose();
      this.sim.endAllDwells();
      this.handleEvents(this.sim.drain());
      services.metrics.delete(this.roomId);
      services.log(`[room] showroom "${this.state.slug}" closed (room ${this.roomId})`);
    }

    private tick(): void {
      const started = performance.now();
      // Measured here on a monotonic clock: the room clock's delta follows the wall clock, which can step back.
      this.sim.advance(started - this.lastTickAt);
      this.lastTickAt = started;
      this.handleEvents(this.sim.drain());
      const finished = performance.now();
      this.metrics.tickMs.add(finished - started, finished);
      this.metrics.avatars = this.visitorCount;
      this.broadcastPatch();
    }

    private registerMessages(): void {
      for (const type of CLIENT_MESSAGE_TYPES) {
        this.onMessage(type, (client: ShowroomClient, message: unknown) => this.receive(client, type, message));
      }
      // Poses arrive once per patch from every visitor, as 30 bytes rather than 21 numbers;
      // the same door and validator apply, and a pose sent as an ordinary message is refused there.
      this.onMessageBytes("pose", (client: ShowroomClient, bytes: Uint8Array) => this.receive(client, "pose", bytes));
      this.onMessage("*", (client: ShowroomClient, type: string | number) => {
        this.refuse(client, String(type).slice(0, 40), "unknown message type");
      });
    }

    /** The one door every client message passes: rate, shape, then the handler. */
    private receive<K extends ClientMessageType>(client: ShowroomClient, type: K, message: unknown): void {
      const visitor = client.userData;
      if (!visitor) return;
      if (!visitor.guard.allow(type, Date.now())) {
        this.refuse(client, type, "too many messages", message);
        return;
      }
      const result = validators[type](message);
      if (!result.ok) {
        this.refuse(client, type, result.reason, message);
        return;
      }
      this.handle(client, type, result.value as ClientMessages[K]);
    }

    private handle<K extends ClientMessageType>(client: ShowroomClient, type: K, message: ClientMessages[K]): void {
      const sessionId = client.sessionId;
      switch (type) {
        case "pose":
          this.sim.queuePose(sessionId, message as ClientMessages["pose"]);
          return;
        case "teleport": {
          const { x, z } = message as ClientMessages["teleport"];
          this.sim.queueTeleport(sessionId, x, z);
          return;
        }
        case "grab": {
          const { sku, hand } = message as ClientMessages["grab"];
          if (!this.sim.queueGrab(sessionId, sku, hand as Hand))
            client.send("grab:refused", { sku, hand, reason: "unknown_product" });
          return;
        }
        case "release":
          this.sim.queueRelease(sessionId, (message as ClientMessages["release"]).hand as Hand);
          return;
        case "chat": {
          const chat = message as ClientMessages["chat"];
          if (ASSISTANT_MENTION.test(chat.text)) {
            const text = chat.text.replace(ASSISTANT_MENTION, "");
            void this.ask(client, { text: text || chat.text, clientMessageId: chat.clientMessageId, locale: null });
          } else void this.chat(client, chat);
          return;
        }
        case "ask":
          void this.ask(client, message as ClientMessages["ask"]);
          return;
        case "support:request":
        case "support:say":
        case "support:csat":
          this.support.receive(client, type, message as ClientMessages[SupportMessageType]);
          return;
      }
    }

    /** A chat line is acknowledged and shown to the room only once it is in the CRM. */
    private async chat(client: ShowroomClient, message: ClientMessages["chat"]): Promise<void> {
      const visitor = client.userData;
      const avatar = this.state.avatars.get(client.sessionId);
      if (!visitor || !avatar) return;
      const sentAt = new Date();
      // Staff have no visit: their lines are shown, not recorded, but still need an id.
      const row =
        visitor.visit &&
        interaction(
          visitor.visit,
          "chat",
          { text: message.text, clientMessageId: message.clientMessageId, sessionId: client.sessionId },
          { occurredAt: sentAt },
        );
      const id = row?.id ?? uuidv7();
      if (row) {
        try {
          await services.writer.commit([row]);
        } catch (error) {
          services.log(`[room] chat from ${client.sessionId} not saved: ${(error as Error).message}`);
          client.send("chat:refused", {
            clientMessageId: message.clientMessageId,
            reason: "The message could not be saved. Please send it again.",
          });
          return;
        }
      }
      client.send("chat:ack", { clientMessageId: message.clientMessageId, id });
      this.broadcast("chat", {
        id,
        sessionId: client.sessionId,
        name: avatar.name,
        role: avatar.role,
        text: message.text,
        sentAt: sentAt.toISOString(),
      });
    }

    /** The assistant answers the asker alone; the exchange is in the CRM before the reply leaves. */
    private async ask(client: ShowroomClient, question: ClientMessages["ask"]): Promise<void> {
      const visitor = client.userData;
      if (!visitor) return;
      try {
        const reply = await this.desk.ask(question, {
          visit: visitor.visit,
          nearProductSku: this.sim.productNear(client.sessionId),
        });
        client.send("assistant:reply", reply);
        // A person was asked for: the customer's panel follows that request from now on.
        if (reply.action?.kind === "support_requested" && visitor.visit) this.support.watch(visitor.visit.customerId);
      } catch (error) {
        services.log(`[room] assistant exchange for ${client.sessionId} not saved: ${(error as Error).message}`);
        client.send("chat:refused", {
          clientMessageId: question.clientMessageId,
          reason: "The assistant could not answer just now. Please ask again.",
        });
      }
    }

    /** Visitors in the room, not counting the assistant. */
    private get visitorCount(): number {
      return this.sim.avatars.size - 1;
    }

    /** The assistant stands beside the entrance, facing the visitors as they arrive. */
    private placeAssistant(): void {
      const { spawn } = this.catalog.showroom;
      const x = spawn.x + 2.5;
      const z = spawn.z - 1.5;
      // Facing the spawn point: a yaw of atan2(dx, dz) about +Y (forward is -Z).
      const yaw = Math.atan2(x - spawn.x, z - spawn.z);
      const qy = Math.sin(yaw / 2);
      const qw = Math.cos(yaw / 2);
      const pose = [x, 1.7, z, 0, qy, 0, qw, x - 0.3, 1.0, z, 0, qy, 0, qw, x + 0.3, 1.0, z, 0, qy, 0, qw];
      const eid = this.sim.addVisitor(ASSISTANT_SESSION_ID, Role.Assistant, pose);
      const avatar = new AvatarState();
      avatar.name = "Assistant";
      avatar.role = Role.Assistant;
      avatar.connected = true;
      const written = new Float64Array(21);
      readAvatarPose(this.sim.world, eid, written);
      writeAvatarPose(avatar, written);
      this.state.avatars.set(ASSISTANT_SESSION_ID, avatar);
    }

    /** Prices, stock and new products reach the assistant without a restart. */
    private async followCatalogChanges(): Promise<void> {
      try {
        const latest = await loadCatalog(services.db, this.catalog.showroom.slug);
        if (!latest || catalogVersion(latest) === catalogVersion(this.catalog)) return;
        this.catalog = latest;
        await services.assistants.catalogChanged(latest);
        services.log(`[room] "${latest.showroom.slug}": catalog changed, assistant updated`);
      } catch (error) {
        services.log(`[room] could not check the catalog: ${(error as Error).message}`);
      }
    }

    private refuse(client: ShowroomClient, type: string, reason: string, message?: unknown): void {
      const visitor = client.userData;
      if (!visitor) return;
      const now = Date.now();
      const disconnect = visitor.guard.strike(now);
      services.log(`[room] refused "${type}" from ${client.sessionId}: ${reason}`);
      // A refused chat line is named, so the sender's page can mark that very line as not sent.
      const clientMessageId = (type === "chat" || type === "ask") && clientMessageIdOf(message);
      if (clientMessageId)
        client.send("chat:refused", {
          clientMessageId,
          reason:
            reason === "too many messages"
              ? "You are sending messages too fast. Wait a moment and send it again."
              : reason,
        });
      else if (visitor.guard.shouldReport(now)) client.send("refused", { type, reason });
      if (disconnect) {
        services.log(`[room] disconnecting ${client.sessionId}: too many refused messages`);
        visitor.disconnectedByServer = true;
        client.leave(ShowroomCloseCode.TooManyInvalidMessages, "Too many invalid messages");
      }
    }

    /** Refusals go to their client if connected; telemetry to the visit, held until onLeave even while dropped. */
    private handleEvents(events: ShowroomEvent[]): void {
      for (const event of events) {
        const client = this.clients.getById(event.sessionId) as ShowroomClient | undefined;
        const visit = this.visitsBySession.get(event.sessionId);
        if (event.type === "grab_refused")
          client?.send("grab:refused", { sku: event.sku, hand: event.hand, reason: event.reason });
        else if (event.type === "teleport_refused") client?.send("teleport:refused", { reason: event.reason });
        const row = visit && telemetryOf(visit, event);
        if (row) services.writer.record(row);
      }
    }

    private async openVisit(visitor: Visitor, sessionId: string): Promise<VisitContext> {
      const visit = await openVisit(services.db, {
        customerId: visitor.claims.sub,
        showroomId: this.catalog.showroom.id,
        roomId: this.roomId,
        displayName: visitor.name,
      });
      if (!visit)
        throw new ServerError(401, "Cannot enter the showroom: this visitor is unknown here. Reload the page.");
      services.log(`[room] ${sessionId} joined "${this.state.slug}" as customer ${visit.customerId}`);
      return visit;
    }
  };
}

function catalogVersion(catalog: Catalog): string {
  return catalog.products.map((p) => `${p.sku}@${p.updatedAt.getTime()}:${p.priceCents}:${p.stock}`).join("|");
}

function clientMessageIdOf(message: unknown): string | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const id = (message as { clientMessageId?: unknown }).clientMessageId;
  return typeof id === "string" && CLIENT_MESSAGE_ID.test(id) ? id : undefined;
}
