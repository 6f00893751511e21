import {
  type AuthContext,
  type Client,
  CloseCode,
  matchMaker,
  type IRoomCache,
  Room,
  type RoomException,
  type RoomMethodName,
  ServerError,
} from "@colyseus/core";
import { type Catalog, loadCatalog } from "../../db/catalog";
import { JoinErrorCode } from "../../schema/errors";
import type { ServerMessages } from "../../schema/messages";
import { AVATAR_ROLES } from "../../schema/roles";
import { PATCH_INTERVAL_MS, type ShowroomState } from "../../schema/state";
import { openVisit } from "../crm/visits";
import { mayEnter } from "../privacy/consent";
import { type Admission, admit, type JoinRequest, SeatRequestLimiter } from "./admission";
import { AssistantDesk } from "./assistant-desk";
import { CATALOG_CHECK_MS, CatalogFollower } from "./catalog-follower";
import { ChatRelay } from "./chat-relay";
import { MAX_FRAMES_PER_SECOND } from "./client-guard";
import { Conversation } from "./conversation";
import { Entrance } from "./entrance";
import { ERASURE_CHECK_MS, ErasureWatch, erasedAmong } from "./erasure-watch";
import { type Recorder, startRecording } from "./recorder";
import { MessageDoor } from "./message-door";
import { RoomMetrics } from "./metrics";
import { SimulationOutcomes } from "./outcomes";
import { Roster, welcomeOf } from "./roster";
import type { RoomServices } from "./services";
import { ShowroomSimulation } from "./simulation";
import { initialState, syncDirtyToState } from "./state-sync";
import { holdsSeat, SeatBook, watchTransport } from "./seats";
import { SupportChannel } from "./support-channel";
import { SupportStatusBoard } from "./support-status";
import { databaseSupportStore } from "./support-store";
import { VisitBook } from "./visit-book";
import type { Visitor } from "./visitor";

export { ShowroomCloseCode } from "./message-door";
export type { RoomServices } from "./services";

export const SHOWROOM_ROOM = "showroom";

interface CreateOptions {
  slug?: unknown;
}

/** A connected client as this room's parts see it: its visitor as userData, the server's messages. */
export type ShowroomClient = Client<{ userData: Visitor; messages: ServerMessages }>;

/** The parts of one open showroom, made together once its catalog is loaded. */
interface Showroom {
  catalog: CatalogFollower;
  sim: ShowroomSimulation;
  roster: Roster;
  visits: VisitBook;
  entrance: Entrance;
  door: MessageDoor;
  support: SupportChannel;
  statuses: SupportStatusBoard;
  erasure: ErasureWatch;
  outcomes: SimulationOutcomes;
  /** None when recording is off, for the server or this showroom. */
  recorder: Recorder | undefined;
}

/**
 * One showroom's room: the Colyseus lifecycle, wired to parts that each own one concern and are
 * tested on their own (the ECS world, who is in the room, who may enter, CRM visits, the message
 * door, chat and the assistant, live support, erasure, the catalog). This class decides only when
 * each part is called.
 *
 * Define it with `showroomRoomType(services)`: the services every room of a server shares.
 */
export abstract class ShowroomRoom extends Room<{ state: ShowroomState; client: ShowroomClient }> {
  protected abstract readonly services: RoomServices;
  private readonly metrics = new RoomMetrics();
  /** Undefined until onCreate has loaded the catalog (Colyseus's timers may run before). */
  private showroom: Showroom | undefined;
  private readonly seats = new SeatBook();
  private stopping = false;
  private lastTickAt = 0;

  override async onCreate(options: CreateOptions): Promise<void> {
    const { services } = this;
    const slug = typeof options.slug === "string" ? options.slug : "";
    const catalog = slug ? await loadCatalog(services.db, slug) : undefined;
    if (!catalog)
      throw new ServerError(JoinErrorCode.UnknownShowroom, `There is no showroom called "${slug.slice(0, 80)}".`);
    // One room per showroom: a second one would split its visitors into two worlds.
    // filterBy(["slug"]) stores the slug on the room's listing, where the query can match it.
    const listing: Partial<IRoomCache> & { slug: string } = { name: SHOWROOM_ROOM, slug };
    const existing = await matchMaker.query(listing);
    if (existing.some((room) => room.roomId !== this.roomId)) {
      throw new ServerError(
        JoinErrorCode.ShowroomFull,
        `The showroom "${catalog.showroom.name.en}" is full. Please try again in a few minutes.`,
      );
    }
    // Nothing is awaited from here on: the room opens without waiting for its assistant's model
    // (a question asked early waits for it), so visitors arriving together never outwait
    // Colyseus's create lock (0.5 s) and open a second room.
    this.maxClients = catalog.showroom.capacity;
    // A backstop under the per-type limits for every frame, requests for unknown types included.
    this.maxMessagesPerSecond = MAX_FRAMES_PER_SECOND;
    this.state = initialState(slug, catalog);
    const recorder =
      services.recordings && catalog.showroom.recordingEnabled
        ? startRecording(services.recordings, catalog.showroom.id, this)
        : undefined;
    this.showroom = { ...this.assemble(catalog), recorder };
    this.showroom.roster.placeAssistant(catalog.showroom.spawn);
    const { catalog: follower, erasure } = this.showroom;
    this.clock.setInterval(() => void follower.check(), CATALOG_CHECK_MS);
    this.clock.setInterval(() => void erasure.check(), ERASURE_CHECK_MS);
    // One clock: each tick steps the world and then sends the patch, so a pose that arrived
    // before the tick is in that patch. (The interval first: with none, Colyseus would start
    // its own clock when the patch timer is switched off.)
    this.lastTickAt = performance.now();
    this.setTimestep(() => this.tick(), PATCH_INTERVAL_MS);
    this.patchRate = null;
    this.listen(this.showroom.door);
    services.metrics.set(this.roomId, this.metrics);
    services.log(`[room] showroom "${slug}" opened (room ${this.roomId}, capacity ${catalog.showroom.capacity})`);
  }

  /** The parts, wired to each other and to this room's clients. */
  private assemble(catalog: Catalog): Omit<Showroom, "recorder"> {
    const { services } = this;
    const clients = () => this.clients;
    const sim = new ShowroomSimulation(catalog, catalog.showroom.capacity);
    const roster = new Roster(sim, this.state);
    const follower = new CatalogFollower(
      catalog,
      () => loadCatalog(services.db, catalog.showroom.slug),
      (latest) => services.assistants.catalogChanged(latest),
      services.log,
    );
    const store = databaseSupportStore(services.db);
    const statuses = new SupportStatusBoard({ store, showroomId: catalog.showroom.id, clients, log: services.log });
    const support = new SupportChannel({ store, statuses, catalog, sim, clients, log: services.log });
    const visits = new VisitBook(
      (request) => openVisit(services.db, { ...request, showroomId: catalog.showroom.id }),
      services.writer,
    );
    const entrance = new Entrance({
      showroom: () => follower.catalog.showroom,
      visitorCount: () => roster.visitorCount,
      authorize: (client, claims, request) => support.authorize(client, claims, request),
      mayEnter: (customerId, showroomId) => mayEnter(services.db, customerId, showroomId),
      visits,
      stillHere: (sessionId) => this.clients.some((client) => client.sessionId === sessionId),
      roomId: this.roomId,
      log: services.log,
    });
    const conversation = new Conversation({
      chat: new ChatRelay(
        services.writer,
        (line) => this.broadcast("chat", line),
        (sessionId) => roster.speakerOf(sessionId),
        services.log,
      ),
      desk: new AssistantDesk(() => services.assistants.get(follower.catalog), services.writer, services.log),
      support: statuses,
      productNear: (sessionId) => sim.productNear(sessionId),
    });
    const door = new MessageDoor({
      log: services.log,
      handlers: {
        pose: (client, pose) => sim.queuePose(client.sessionId, pose),
        teleport: (client, { x, z }) => sim.queueTeleport(client.sessionId, x, z),
        grab: (client, { sku, hand }) => {
          if (!sim.queueGrab(client.sessionId, sku, hand)) {
            client.send("grab:refused", { sku, hand, reason: "unknown_product" });
          }
        },
        release: (client, { hand }) => sim.queueRelease(client.sessionId, hand),
        chat: (client, line) => void conversation.chat(client, line),
        ask: (client, question) => void conversation.ask(client, question),
        "support:request": (client, message) => void support.receive(client, "support:request", message),
        "support:say": (client, message) => void support.receive(client, "support:say", message),
        "support:csat": (client, message) => void support.receive(client, "support:csat", message),
      },
    });
    const erasure = new ErasureWatch((ids) => erasedAmong(services.db, ids), clients, services.log);
    const outcomes = new SimulationOutcomes((sessionId) => this.clients.get(sessionId), visits);
    return { catalog: follower, sim, roster, visits, entrance, door, support, statuses, erasure, outcomes };
  }

  /** Every client message goes through the door; poses arrive as bytes, the rest as messages. */
  private listen(door: MessageDoor): void {
    for (const type of door.types) {
      this.onMessage(type, (client: ShowroomClient, message: unknown) => door.receive(client, type, message));
    }
    // Poses arrive once per patch from every visitor as 30 bytes; the same door and validator
    // apply, and a pose sent as an ordinary message is refused there.
    this.onMessageBytes("pose", (client: ShowroomClient, bytes: Uint8Array) => door.receive(client, "pose", bytes));
    this.onMessage("*", (client: ShowroomClient, type: string | number) => door.receiveUnknown(client, type));
  }

  override async onJoin(client: ShowroomClient, request: JoinRequest, admission: Admission): Promise<void> {
    const showroom = this.showroom;
    if (!showroom) throw new ServerError(JoinErrorCode.RoomClosing, "The showroom is not open. Please try again.");
    watchTransport(client);
    const { visitor, party } = await showroom.entrance.enter(client, admission, request);
    // One seat per person: this newest connection takes over any other of theirs in the room.
    const taken = this.seats.takeOver(admission.claims.sub, client.sessionId, this.clients);
    if (taken > 0)
      this.services.log(`[room] ${client.sessionId} took over ${taken} earlier seat(s) of the same visitor`);
    const avatar = showroom.roster.add(
      client.sessionId,
      AVATAR_ROLES[party],
      visitor.name,
      showroom.support.arrivalPose(client.sessionId),
    );
    showroom.recorder?.present({ role: party, id: admission.claims.sub, name: avatar.name });
    if (visitor.visit)
      showroom.visits.begin(client.sessionId, visitor.visit, { roomId: this.roomId, name: avatar.name });
    client.send("welcome", welcomeOf(client.sessionId, { ...visitor.visit, name: avatar.name }, false));
    void showroom.support.joined(client);
  }

  /** A lost connection keeps the avatar (shown as disconnected) for reconnectSeconds; onLeave follows if nobody returns. */
  override onDrop(client: ShowroomClient, code?: number): void {
    // Only a connection lost on the way keeps its seat: a client the server cut off gets none.
    const visitor = client.userData;
    const held = !!visitor && holdsSeat(code, visitor.disconnectedByServer) && this.services.reconnectSeconds > 0;
    this.services.log(
      `[room] ${client.sessionId} dropped (close code ${code ?? "none"}): ${held ? "seat held" : "no seat held"}`,
    );
    if (!visitor || !held) return;
    this.showroom?.roster.setConnected(client.sessionId, false);
    const seat = this.allowReconnection(client, this.services.reconnectSeconds);
    this.seats.hold(client.sessionId, visitor.claims.sub, { reject: (reason) => seat.reject(reason) });
    // Refused while the room closes, expired, or taken over: onLeave follows in each case.
    Promise.resolve(seat).catch(() => undefined);
  }

  override onReconnect(client: ShowroomClient): void {
    this.seats.release(client.sessionId);
    watchTransport(client);
    const showroom = this.showroom;
    if (!showroom) return;
    showroom.roster.setConnected(client.sessionId, true);
    const name = showroom.roster.nameOf(client.sessionId) ?? "";
    client.send("welcome", welcomeOf(client.sessionId, { ...client.userData?.visit, name }, true));
  }

  override onLeave(client: ShowroomClient, code?: number): void {
    this.seats.release(client.sessionId);
    const showroom = this.showroom;
    if (!showroom) return;
    // Sent away by a stopping server, or dropped just before it stopped: either way not their choice.
    const notTheirChoice = this.stopping || code === CloseCode.SERVER_SHUTDOWN || code === CloseCode.MAY_TRY_RECONNECT;
    void showroom.support.left(client, notTheirChoice);
    showroom.outcomes.handle(showroom.roster.remove(client.sessionId));
    showroom.visits.end(client.sessionId, code);
  }

  /** The server is stopping: every visitor about to leave is being sent away, not leaving. */
  override onBeforeShutdown(): void {
    this.stopping = true;
    super.onBeforeShutdown();
  }

  override onBeforePatch(): void {
    if (!this.showroom) return;
    const started = performance.now();
    syncDirtyToState(this.showroom.sim, this.state);
    this.showroom.recorder?.patch();
    this.metrics.syncMs.add(performance.now() - started);
  }

  override broadcastPatch(): boolean {
    const started = performance.now();
    const changed = super.broadcastPatch();
    this.metrics.patchMs.add(performance.now() - started);
    return changed;
  }

  /**
   * Logged, never fatal: one faulty handler must not take down every showroom in the process. A
   * refused join (the showroom full, a ticket not theirs) is an answer, not a fault: one line, no stack.
   */
  override onUncaughtException(error: RoomException, methodName: RoomMethodName): void {
    const cause = error.cause;
    if (cause instanceof ServerError && methodName === "onJoin") {
      this.services.log(`[room] refused a join to room ${this.roomId} (${cause.code}): ${cause.message}`);
      return;
    }
    const detail = cause instanceof Error ? (cause.stack ?? cause.message) : error.message;
    this.services.log(`[room] error in ${methodName} of room ${this.roomId}: ${detail}`);
  }

  override onDispose(): void {
    const showroom = this.showroom;
    if (!showroom) return;
    showroom.statuses.dispose();
    showroom.sim.endAllDwells();
    showroom.outcomes.handle(showroom.sim.drain());
    showroom.recorder?.close();
    this.services.metrics.delete(this.roomId);
    this.services.log(`[room] showroom "${this.state.slug}" closed (room ${this.roomId})`);
  }

  private tick(): void {
    const showroom = this.showroom;
    if (!showroom) return;
    const started = performance.now();
    // Measured here on a monotonic clock: the room clock's delta follows the wall clock, which can step back.
    showroom.sim.advance(started - this.lastTickAt);
    this.lastTickAt = started;
    showroom.outcomes.handle(showroom.sim.drain());
    const finished = performance.now();
    this.metrics.tickMs.add(finished - started, finished);
    this.metrics.avatars = showroom.roster.visitorCount;
    this.broadcastPatch();
  }
}

/**
 * The showroom room type for one server. Its services are bound to a subclass, not kept in module
 * state, so several servers in one process (tests) never share anything by accident. Admission is
 * static: Colyseus checks it when a seat is requested, before any seat is reserved, and caps the
 * requests of each visitor and each address (`SeatRequestLimiter`).
 */
export function showroomRoomType(services: RoomServices, limiter = new SeatRequestLimiter()) {
  return class BoundShowroomRoom extends ShowroomRoom {
    protected override readonly services = services;
    static override async onAuth(_token: string, request: JoinRequest, context: AuthContext): Promise<Admission> {
      const admission = admit(services.secret, request);
      if (!limiter.take(admission.claims.sub, context?.ip)) {
        throw new ServerError(
          JoinErrorCode.TooManyRequests,
          "Too many attempts to enter this showroom. Wait a few seconds and try again.",
        );
      }
      return admission;
    }
  };
}
