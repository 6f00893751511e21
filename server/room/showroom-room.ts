import { EventEmitter } from "node:events";
import {
  type AuthContext,
  CloseCode,
  matchMaker,
  type IRoomCache,
  Room,
  type RoomException,
  type RoomMethodName,
  ServerError,
} from "@colyseus/core";
import { Role } from "../../ecs";
import { type Catalog, loadCatalog } from "../../db/catalog";
import { JoinErrorCode } from "../../schema/errors";
import { ASSISTANT_MENTION, type ClientMessages } from "../../schema/messages";
import { PATCH_INTERVAL_MS, type ShowroomState } from "../../schema/state";
import { openVisit } from "../crm/visits";
import { mayEnter } from "../privacy/consent";
import { type Admission, admit, type JoinRequest, SeatRequestLimiter } from "./admission";
import { AssistantDesk } from "./assistant-desk";
import { CATALOG_CHECK_MS, CatalogFollower } from "./catalog-follower";
import { ChatRelay } from "./chat-relay";
import { ERASURE_CHECK_MS, erasedAmong } from "./erasure-watch";
import { ClientGuard, MAX_FRAMES_PER_SECOND } from "./client-guard";
import { type Recorder, startRecording } from "./recorder";
import { MessageDoor, ShowroomCloseCode } from "./message-door";
import { RoomMetrics } from "./metrics";
import { Roster, welcomeOf } from "./roster";
import type { RoomServices } from "./services";
import { type ShowroomEvent, ShowroomSimulation } from "./simulation";
import { initialState, syncDirtyToState } from "./state-sync";
import { holdsSeat, SeatBook } from "./seats";
import { SupportChannel } from "./support-channel";
import { VisitBook } from "./visit-book";
import type { RoomClient, Visitor } from "./visitor";

export { ShowroomCloseCode } from "./message-door";
export type { RoomServices } from "./services";

export const SHOWROOM_ROOM = "showroom";

interface CreateOptions {
  slug?: unknown;
}

/** The parts of one open showroom, made together once its catalog is loaded. */
interface Showroom {
  catalog: CatalogFollower;
  sim: ShowroomSimulation;
  roster: Roster;
  visits: VisitBook;
  door: MessageDoor;
  chat: ChatRelay;
  desk: AssistantDesk;
  support: SupportChannel;
  /** None when recording is off, for the server or this showroom. */
  recorder: Recorder | undefined;
}

/**
 * One showroom's room: the Colyseus lifecycle, wired to parts that each own one concern and are
 * tested on their own (the ECS world, who is in the room, CRM visits, the message door, chat, the
 * assistant, live support, the catalog). This class decides only when each part is called.
 *
 * Define it with `showroomRoomType(services)`: the services every room of a server shares.
 */
export abstract class ShowroomRoom extends Room<{ state: ShowroomState }> {
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
    const follower = this.showroom.catalog;
    this.clock.setInterval(() => void follower.check(), CATALOG_CHECK_MS);
    this.clock.setInterval(() => void this.letErasedGo(), ERASURE_CHECK_MS);
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
    const sim = new ShowroomSimulation(catalog, catalog.showroom.capacity);
    const roster = new Roster(sim, this.state);
    const follower = new CatalogFollower(
      catalog,
      () => loadCatalog(services.db, catalog.showroom.slug),
      (latest) => services.assistants.catalogChanged(latest),
      services.log,
    );
    const clients = () => this.clients as Iterable<RoomClient>;
    const support = new SupportChannel(services, catalog, sim, clients);
    const visits = new VisitBook(
      (request) => openVisit(services.db, { ...request, showroomId: catalog.showroom.id }),
      services.writer,
    );
    const chat = new ChatRelay(
      services.writer,
      (line) => this.broadcast("chat", line),
      (sessionId) => roster.speakerOf(sessionId),
      services.log,
    );
    const desk = new AssistantDesk(() => services.assistants.get(follower.catalog), services.writer, services.log);
    const ask = async (client: RoomClient, question: ClientMessages["ask"]) => {
      const reply = await desk.answer(client, question, sim.productNear(client.sessionId));
      // A person was asked for: the customer's panel follows that request from now on.
      const visit = client.userData?.visit;
      if (reply?.action?.kind === "support_requested" && visit) support.watch(visit.customerId);
    };
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
        chat: (client, line) => {
          if (!ASSISTANT_MENTION.test(line.text)) {
            void chat.say(client, line);
            return;
          }
          const text = line.text.replace(ASSISTANT_MENTION, "");
          void ask(client, { text: text || line.text, clientMessageId: line.clientMessageId, locale: null });
        },
        ask: (client, question) => void ask(client, question),
        "support:request": (client, message) => support.receive(client, "support:request", message),
        "support:say": (client, message) => support.receive(client, "support:say", message),
        "support:csat": (client, message) => support.receive(client, "support:csat", message),
      },
    });
    return { catalog: follower, sim, roster, visits, door, chat, desk, support };
  }

  /** Every client message goes through the door; poses arrive as bytes, the rest as messages. */
  private listen(door: MessageDoor): void {
    for (const type of door.types) {
      this.onMessage(type, (client: RoomClient, message: unknown) => door.receive(client, type, message));
    }
    // Poses arrive once per patch from every visitor as 30 bytes; the same door and validator
    // apply, and a pose sent as an ordinary message is refused there.
    this.onMessageBytes("pose", (client: RoomClient, bytes: Uint8Array) => door.receive(client, "pose", bytes));
    this.onMessage("*", (client: RoomClient, type: string | number) => door.receiveUnknown(client, type));
  }

  override async onJoin(client: RoomClient, request: JoinRequest, admission: Admission): Promise<void> {
    const showroom = this.showroom;
    if (!showroom) throw new ServerError(JoinErrorCode.RoomClosing, "The showroom is not open. Please try again.");
    const { capacity } = showroom.catalog.catalog.showroom;
    if (showroom.roster.visitorCount >= capacity) {
      throw new ServerError(
        JoinErrorCode.ShowroomFull,
        `The showroom "${showroom.catalog.catalog.showroom.name.en}" is full (${capacity} visitors). Please try again in a few minutes.`,
      );
    }
    // An agent must hold the ticket they come for, in this showroom (checked here: it needs the room).
    await showroom.support.authorize(client, admission.claims, request);
    const visitor: Visitor = {
      claims: admission.claims,
      name: admission.name,
      guard: new ClientGuard(),
      visit: undefined,
      disconnectedByServer: false,
    };
    client.userData = visitor;
    this.watchTransport(client);
    const role = admission.claims.role === "agent" ? Role.Agent : Role.Customer;
    if (role === Role.Customer) {
      if (!(await mayEnter(this.services.db, admission.claims.sub, showroom.catalog.catalog.showroom.id))) {
        throw new ServerError(
          JoinErrorCode.Forbidden,
          "This showroom asks you to accept its privacy notice first. Reload the page to see it.",
        );
      }
      const visit = await showroom.visits.open(admission.claims.sub, this.roomId, visitor.name);
      if (!this.clients.some((c) => c.sessionId === client.sessionId)) {
        // The room let this client go while the visit was being opened (it is closing): onLeave
        // has run without a visit to close, so it is closed here.
        showroom.visits.abandon(client.sessionId, visit);
        throw new ServerError(
          JoinErrorCode.RoomClosing,
          "The showroom closed while you were entering. Please try again.",
        );
      }
      visitor.visit = visit;
      this.services.log(`[room] ${client.sessionId} joined "${this.state.slug}" as customer ${visit.customerId}`);
    }
    // One seat per person: this newest connection takes over any other of theirs in the room.
    const taken = this.seats.takeOver(admission.claims.sub, client.sessionId, this.clients as Iterable<RoomClient>);
    if (taken > 0)
      this.services.log(`[room] ${client.sessionId} took over ${taken} earlier seat(s) of the same visitor`);
    const avatar = showroom.roster.add(
      client.sessionId,
      role,
      visitor.name,
      showroom.support.arrivalPose(client.sessionId),
    );
    showroom.recorder?.present({
      role: role === Role.Agent ? "agent" : "customer",
      id: admission.claims.sub,
      name: avatar.name,
    });
    if (visitor.visit)
      showroom.visits.begin(client.sessionId, visitor.visit, { roomId: this.roomId, name: avatar.name });
    client.send("welcome", welcomeOf(client.sessionId, { ...visitor.visit, name: avatar.name }, false));
    void showroom.support.joined(client);
  }

  /** A lost connection keeps the avatar (shown as disconnected) for reconnectSeconds; onLeave follows if nobody returns. */
  override onDrop(client: RoomClient, code?: number): void {
    // Only a connection lost on the way keeps its seat: a client the server cut off gets none.
    const visitor = client.userData;
    const held = !!visitor && holdsSeat(code, visitor.disconnectedByServer) && this.services.reconnectSeconds > 0;
    this.services.log(
      `[room] ${client.sessionId} dropped (close code ${code ?? "none"}): ${held ? "seat held" : "no seat held"}`,
    );
    if (!visitor || !held) return;
    this.showroom?.roster.setConnected(client.sessionId, false);
    const seat = this.allowReconnection(
      client as Parameters<Room["allowReconnection"]>[0],
      this.services.reconnectSeconds,
    );
    this.seats.hold(client.sessionId, visitor.claims.sub, { reject: (reason) => seat.reject(reason) });
    // Refused while the room closes, expired, or taken over: onLeave follows in each case.
    Promise.resolve(seat).catch(() => undefined);
  }

  override onReconnect(client: RoomClient): void {
    this.seats.release(client.sessionId);
    this.watchTransport(client);
    const showroom = this.showroom;
    if (!showroom) return;
    showroom.roster.setConnected(client.sessionId, true);
    const name = showroom.roster.nameOf(client.sessionId) ?? "";
    client.send("welcome", welcomeOf(client.sessionId, { ...client.userData?.visit, name }, true));
  }

  override onLeave(client: RoomClient, code?: number): void {
    this.seats.release(client.sessionId);
    const showroom = this.showroom;
    if (!showroom) return;
    // Sent away by a stopping server, or dropped just before it stopped: either way not their choice.
    const notTheirChoice = this.stopping || code === CloseCode.SERVER_SHUTDOWN || code === CloseCode.MAY_TRY_RECONNECT;
    showroom.support.left(client, notTheirChoice);
    this.handleEvents(showroom.roster.remove(client.sessionId));
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
    showroom.support.dispose();
    showroom.sim.endAllDwells();
    this.handleEvents(showroom.sim.drain());
    showroom.recorder?.close();
    this.services.metrics.delete(this.roomId);
    this.services.log(`[room] showroom "${this.state.slug}" closed (room ${this.roomId})`);
  }

  /**
   * A customer whose data was erased while here (from their own page or by a manager, in any
   * process) is let go: nothing more is recorded for them, and coming back makes a new visitor.
   */
  private async letErasedGo(): Promise<void> {
    const customers = new Map<string, RoomClient>();
    for (const client of this.clients as Iterable<RoomClient>) {
      const visit = client.userData?.visit;
      if (visit) customers.set(visit.customerId, client);
    }
    try {
      for (const customerId of await erasedAmong(this.services.db, [...customers.keys()])) {
        const client = customers.get(customerId);
        if (!client?.userData) continue;
        client.userData.disconnectedByServer = true;
        client.leave(ShowroomCloseCode.Erased, "Your data in this showroom was erased.");
        this.services.log(`[room] ${client.sessionId} let go: their data was erased`);
      }
    } catch (error) {
      this.services.log(`[room] could not check for erased visitors: ${(error as Error).message}`);
    }
  }

  /**
   * A connection the transport cuts for a protocol error (a frame over the size cap, a malformed
   * frame) closes like a lost one (1006): its error, which comes first, marks it cut by the server.
   */
  private watchTransport(client: RoomClient): void {
    const ref = (client as { ref?: unknown }).ref;
    if (!(ref instanceof EventEmitter)) return;
    ref.once("error", () => {
      if (client.userData) client.userData.disconnectedByServer = true;
    });
  }

  private tick(): void {
    const showroom = this.showroom;
    if (!showroom) return;
    const started = performance.now();
    // Measured here on a monotonic clock: the room clock's delta follows the wall clock, which can step back.
    showroom.sim.advance(started - this.lastTickAt);
    this.lastTickAt = started;
    this.handleEvents(showroom.sim.drain());
    const finished = performance.now();
    this.metrics.tickMs.add(finished - started, finished);
    this.metrics.avatars = showroom.roster.visitorCount;
    this.broadcastPatch();
  }

  /** Refusals go to their client if connected; telemetry to the visit, kept until onLeave even while dropped. */
  private handleEvents(events: ShowroomEvent[]): void {
    const showroom = this.showroom;
    if (!showroom) return;
    for (const event of events) {
      if (event.type === "grab_refused" || event.type === "teleport_refused") {
        const client = this.clients.getById(event.sessionId) as RoomClient | undefined;
        if (event.type === "grab_refused") {
          client?.send("grab:refused", { sku: event.sku, hand: event.hand, reason: event.reason });
        } else client?.send("teleport:refused", { reason: event.reason });
      }
      showroom.visits.record(event);
    }
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
