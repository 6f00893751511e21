import type { ShowroomView } from "../../schema/api";
import type { SupportLine } from "../../schema/messages";
import type { ShowroomState } from "../../schema/state";
import type {
  AgentStatus,
  QueueItem,
  QueueSnapshot,
  StaffView,
  TicketDetail,
  TimelineLine,
} from "../../schema/support";
import { byId } from "../ui/dom";
import { ConsoleApi, SignedOutError } from "./api";
import { renderQueue, tickWaits } from "./queue-view";
import { RoomLink } from "./room-link";
import { drawRoomMap } from "./room-map";

/**
 * The agent console: sign in, set presence and capacity, watch the live queue, accept a request
 * (which walks the agent's avatar over to the customer in the showroom), talk privately, keep
 * notes, resolve. Every action goes through the support API or the showroom room; nothing here
 * decides anything the server does not check.
 */

interface ActiveTicket {
  detail: TicketDetail;
  view: ShowroomView | null;
  customer: { sessionId: string; name: string } | null;
  openedAt: number;
}

const api = new ConsoleApi();
const ui = {
  signIn: byId("sign-in"),
  signInForm: byId<HTMLFormElement>("sign-in-form"),
  email: byId<HTMLInputElement>("email"),
  password: byId<HTMLInputElement>("password"),
  signInError: byId("sign-in-error"),
  console: byId("console"),
  me: byId("me"),
  presence: byId<HTMLSelectElement>("presence"),
  presenceDot: byId("presence-dot"),
  capacity: byId<HTMLInputElement>("capacity"),
  held: byId("held"),
  error: byId("console-error"),
  signOut: byId<HTMLButtonElement>("sign-out"),
  queue: byId("queue"),
  queueSummary: byId("queue-summary"),
  noTicket: byId("no-ticket"),
  ticket: byId("ticket"),
  ticketTitle: byId("ticket-title"),
  roomStatus: byId("room-status"),
  release: byId<HTMLButtonElement>("release"),
  resolve: byId<HTMLButtonElement>("resolve"),
  map: byId<HTMLCanvasElement>("map"),
  messages: byId("messages"),
  sayForm: byId<HTMLFormElement>("say-form"),
  sayInput: byId<HTMLInputElement>("say-input"),
  canned: byId("canned"),
  facts: byId("customer-facts"),
  notes: byId("notes"),
  noteForm: byId<HTMLFormElement>("note-form"),
  noteInput: byId<HTMLInputElement>("note-input"),
  history: byId("history"),
};

let staff: StaffView | null = null;
let snapshot: QueueSnapshot | null = null;
let active: ActiveTicket | null = null;
let roomState: ShowroomState | null = null;
let stopStream: (() => void) | null = null;
let mapFrame = 0;
const showrooms = new Map<string, Promise<ShowroomView>>();

const link = new RoomLink({
  line: (line) => {
    if (active && line.ticketId === active.detail.item.ticketId)
      appendMessage(line.from, line.name, line.text, line.sentAt);
  },
  customer: (customer) => {
    if (!active || customer.ticketId !== active.detail.item.ticketId) return;
    active.customer = { sessionId: customer.sessionId, name: customer.name };
    ui.roomStatus.textContent = `You are beside ${customer.name} in the showroom`;
    redrawMap();
    // The arrival is now in the ticket's history.
    api
      .ticket(customer.ticketId)
      .then((detail) => ui.history.replaceChildren(...detail.history.map((h) => listItem(h.text, h.at))), handle);
  },
  refused: (reason) => showError(reason),
  state: (state) => {
    roomState = state;
    redrawMap();
  },
  closed: () => {
    if (active) ui.roomStatus.textContent = "You left the showroom";
  },
});

function showError(message: string | null): void {
  ui.error.textContent = message ?? "";
}

function time(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function listItem(text: string, when?: string): HTMLLIElement {
  const li = document.createElement("li");
  if (when) {
    const stamp = document.createElement("span");
    stamp.className = "when";
    stamp.textContent = time(when);
    li.append(stamp);
  }
  li.append(text);
  return li;
}

function appendMessage(from: SupportLine["from"], name: string, text: string, sentAt: string): void {
  const li = document.createElement("li");
  li.className = from;
  const who = document.createElement("span");
  who.className = "from";
  who.textContent = `${from === "agent" ? "You" : name} · ${time(sentAt)}`;
  li.append(who, text);
  ui.messages.append(li);
  ui.messages.scrollTop = ui.messages.scrollHeight;
}

function redrawMap(): void {
  if (mapFrame) return;
  mapFrame = requestAnimationFrame(() => {
    mapFrame = 0;
    if (active?.view) drawRoomMap(ui.map, active.view, roomState, link.sessionId, active.customer);
  });
}

function showroomView(slug: string): Promise<ShowroomView> {
  let view = showrooms.get(slug);
  if (!view) {
    view = fetch(`/api/showrooms/${encodeURIComponent(slug)}`).then((r) => {
      if (!r.ok) throw new Error(`The showroom "${slug}" could not be loaded.`);
      return r.json() as Promise<ShowroomView>;
    });
    showrooms.set(slug, view);
  }
  return view;
}

function renderTicket(detail: TicketDetail): void {
  const { item } = detail;
  const c = item.customer;
  ui.noTicket.hidden = true;
  ui.ticket.hidden = false;
  ui.ticket.dataset.ticketId = item.ticketId;
  ui.ticketTitle.textContent = `${c.name || `Guest ${c.reference}`} · ${item.showroom.name}`;
  ui.facts.replaceChildren(
    listItem(`Guest ${c.reference}, ${c.visits} visit${c.visits === 1 ? "" : "s"}`),
    listItem(
      `Asked: ${item.message ? `“${item.message}”` : item.reason.replaceAll("_", " ")}${item.productName ? `, at ${item.productName}` : ""}`,
    ),
    ...c.lingered.map((p) => listItem(`Lingered at ${p.name} for ${p.amount} s`)),
    ...c.held.map((p) => listItem(`Picked up ${p.name}${p.amount > 1 ? ` ${p.amount} times` : ""}`)),
    ...c.recentLines.map((line: TimelineLine) =>
      listItem(line.type === "chat" ? `Said: ${line.text}` : line.text, line.at),
    ),
    ...detail.visits.map((v) => listItem(`Visit to ${v.showroom}${v.endedAt ? "" : " (now)"}`, v.startedAt)),
    ...detail.pastTickets.map((t) =>
      listItem(
        `Earlier request: ${t.reason.replaceAll("_", " ")}, ${t.status}${t.csatScore ? `, rated ${t.csatScore}/5` : ""}`,
        t.createdAt,
      ),
    ),
  );
  ui.notes.replaceChildren(...detail.notes.map((n) => listItem(`${n.author}: ${n.text}`, n.createdAt)));
  ui.history.replaceChildren(...detail.history.map((h) => listItem(h.text, h.at)));
  ui.messages.replaceChildren();
  for (const m of detail.messages) appendMessage(m.from, c.name || "Customer", m.text, m.sentAt);
}

async function openTicket(detail: TicketDetail): Promise<void> {
  active = { detail, view: null, customer: null, openedAt: Date.now() };
  roomState = null;
  renderTicket(detail);
  ui.roomStatus.textContent = "Walking over to the customer…";
  const ticketId = detail.item.ticketId;
  try {
    const grant = await api.roomToken(ticketId);
    const view = await showroomView(grant.slug);
    if (active?.detail.item.ticketId !== ticketId) return;
    active.view = view;
    await link.join(grant);
    redrawMap();
  } catch (error) {
    handle(error);
    ui.roomStatus.textContent = "Could not enter the showroom";
  }
}

async function closeTicket(): Promise<void> {
  active = null;
  roomState = null;
  await link.leave();
  ui.ticket.hidden = true;
  ui.noTicket.hidden = false;
}

function handle(error: unknown): void {
  if (error instanceof SignedOutError) {
    void showSignIn(error.message);
    return;
  }
  showError(error instanceof Error ? error.message : String(error));
}

function render(): void {
  if (!snapshot) return;
  renderQueue(ui.queue, ui.queueSummary, snapshot, active?.detail.item.ticketId ?? null, {
    canAccept: staff?.role === "agent",
    accept: (item: QueueItem) => {
      showError(null);
      api.accept(item.ticketId).then(openTicket, handle);
    },
    open: (item: QueueItem) => {
      api.ticket(item.ticketId).then(openTicket, handle);
    },
  });
  if (snapshot.presence) {
    ui.held.textContent = `holding ${snapshot.presence.held}/${snapshot.presence.capacity}`;
    ui.presenceDot.dataset.status = snapshot.presence.status;
  }
  // The ticket left our hands elsewhere (the customer left, the assignment expired).
  if (active && Date.parse(snapshot.at) > active.openedAt + 1000) {
    const mine = snapshot.items.find((i) => i.ticketId === active?.detail.item.ticketId && i.mine);
    if (!mine) {
      showError("That request has ended: the customer left, or it went back to the queue.");
      void closeTicket();
    }
  }
}

async function showConsole(me: StaffView, presence: { status: AgentStatus; capacity: number } | null): Promise<void> {
  staff = me;
  ui.signIn.hidden = true;
  ui.console.hidden = false;
  ui.me.textContent = `${me.displayName} (${me.role})`;
  ui.presence.disabled = me.role !== "agent";
  ui.capacity.disabled = me.role !== "agent";
  if (presence) {
    ui.presence.value = presence.status;
    ui.capacity.value = String(presence.capacity);
    ui.presenceDot.dataset.status = presence.status;
  }
  stopStream?.();
  stopStream = api.streamQueue(
    (next) => {
      snapshot = next;
      render();
    },
    () => void showSignIn("Your session has ended: sign in again."),
    (trouble) => showError(trouble),
  );
  const canned = await api.canned().catch(() => []);
  ui.canned.replaceChildren(
    ...canned.map((response) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "quiet";
      button.title = response.text;
      button.textContent = response.title;
      button.addEventListener("click", () => {
        ui.sayInput.value = response.text;
        ui.sayInput.focus();
      });
      return button;
    }),
  );
}

async function showSignIn(message = ""): Promise<void> {
  stopStream?.();
  stopStream = null;
  staff = null;
  await closeTicket();
  ui.console.hidden = true;
  ui.signIn.hidden = false;
  ui.signInError.textContent = message;
  ui.email.focus();
}

ui.signInForm.addEventListener("submit", (event) => {
  event.preventDefault();
  ui.signInError.textContent = "";
  api.signIn(ui.email.value, ui.password.value).then(
    async (signed) => {
      ui.password.value = "";
      const { presence } = await api.me();
      await showConsole(signed.staff, presence);
    },
    (error: Error) => (ui.signInError.textContent = error.message),
  );
});

ui.signOut.addEventListener("click", () => {
  api.signOut().finally(() => void showSignIn());
});

const savePresence = () => {
  const capacity = Number(ui.capacity.value);
  api
    .setPresence({
      status: ui.presence.value as AgentStatus,
      ...(Number.isInteger(capacity) && capacity >= 1 ? { capacity } : {}),
    })
    .then((presence) => {
      ui.presenceDot.dataset.status = presence.status;
      showError(null);
    }, handle);
};
ui.presence.addEventListener("change", savePresence);
ui.capacity.addEventListener("change", savePresence);

ui.sayForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = ui.sayInput.value.trim();
  if (!active || !text) return;
  if (link.say(active.detail.item.ticketId, text)) ui.sayInput.value = "";
  else showError("You are not in the showroom: open the ticket again.");
});

ui.noteForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = ui.noteInput.value.trim();
  if (!active || !text) return;
  api.addNote(active.detail.item.ticketId, text).then((note) => {
    ui.noteInput.value = "";
    ui.notes.prepend(listItem(`${note.author}: ${note.text}`, note.createdAt));
  }, handle);
});

ui.resolve.addEventListener("click", () => {
  if (!active) return;
  api.resolve(active.detail.item.ticketId).then(() => closeTicket(), handle);
});

ui.release.addEventListener("click", () => {
  if (!active) return;
  api.release(active.detail.item.ticketId).then(() => closeTicket(), handle);
});

setInterval(() => tickWaits(ui.queue), 1000);

api.me().then(
  ({ staff: me, presence }) => showConsole(me, presence),
  (error: unknown) =>
    error instanceof SignedOutError ? showSignIn() : showSignIn(error instanceof Error ? error.message : String(error)),
);

declare global {
  interface Window {
    /** Read by the browser tests: what the console shows, as plain data. */
    __agentConsole?: () => {
      signedIn: boolean;
      activeTicketId: string | null;
      customerSessionId: string | null;
      mySessionId: string | null;
    };
  }
}
window.__agentConsole = () => ({
  signedIn: staff !== null,
  activeTicketId: active?.detail.item.ticketId ?? null,
  customerSessionId: active?.customer?.sessionId ?? null,
  mySessionId: link.sessionId,
});
