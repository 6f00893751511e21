import type { QueueItem, QueueSnapshot } from "../../schema/support";

export interface QueueActions {
  /** Managers watch the queue; only agents take tickets. */
  canAccept: boolean;
  accept(item: QueueItem): void;
  open(item: QueueItem): void;
}

const REASONS: Record<string, string> = {
  help_button: "Help button",
  assistant_escalation: "Asked the assistant for a person",
  complaint: "Complaint",
};

/** "3:07" since the request; the list ticks every second without asking the server. */
export function waited(createdAt: string, now: number): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 1000));
  const minutes = Math.floor(seconds / 60);
  return minutes >= 60
    ? `${Math.floor(minutes / 60)}h ${minutes % 60}m`
    : `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function customerLabel(item: QueueItem): string {
  return item.customer.name || `Guest ${item.customer.reference}`;
}

/** Renders the queue: who waits, how long, where, about what, and what we know of them. */
export function renderQueue(
  list: HTMLElement,
  summary: HTMLElement,
  snapshot: QueueSnapshot,
  activeTicketId: string | null,
  actions: QueueActions,
): void {
  const now = Date.now();
  summary.textContent = `${snapshot.queued} waiting${snapshot.presence ? ` · you hold ${snapshot.presence.held} of ${snapshot.presence.capacity}` : ""}`;
  list.replaceChildren();
  if (snapshot.items.length === 0)
    list.append(element("li", "empty", "Nobody is waiting. New requests appear here at once."));
  for (const item of snapshot.items) {
    const li = element("li", `ticket${item.mine ? " mine" : ""}${item.ticketId === activeTicketId ? " active" : ""}`);
    li.dataset.ticketId = item.ticketId;
    li.dataset.status = item.status;
    const top = element("div", "top");
    top.append(element("span", "name", customerLabel(item)));
    if (item.position !== null) top.append(element("span", "badge", `#${item.position}`));
    if (item.requestCount > 1) top.append(element("span", "badge", `asked ${item.requestCount}×`));
    top.append(
      element("span", `badge${item.reason === "complaint" ? " complaint" : ""}`, REASONS[item.reason] ?? item.reason),
    );
    const wait = element("span", "wait", waited(item.createdAt, now));
    wait.dataset.since = item.createdAt;
    top.append(wait);
    li.append(top);
    const where = `${item.showroom.name}${item.productName ? ` · at ${item.productName}` : ""}`;
    li.append(element("div", "muted", where));
    if (item.message) li.append(element("div", "says", `“${item.message}”`));
    const context = element("div", "context");
    const c = item.customer;
    context.append(
      element(
        "span",
        "",
        [counted(c.visits, "visit"), counted(c.pastTickets, "past ticket"), counted(c.notes, "note")].join(" · "),
      ),
    );
    if (c.lingered.length > 0)
      context.append(
        element("span", "lingered", `Lingered at: ${c.lingered.map((p) => `${p.name} (${p.amount}s)`).join(", ")}`),
      );
    if (c.held.length > 0)
      context.append(
        element(
          "span",
          "held",
          `Picked up: ${c.held.map((p) => `${p.name}${p.amount > 1 ? ` ×${p.amount}` : ""}`).join(", ")}`,
        ),
      );
    for (const line of c.recentLines.slice(0, 3))
      context.append(element("span", "line", line.type === "chat" ? `Said: ${line.text}` : line.text));
    li.append(context);
    const buttons = element("div", "actions");
    if (!actions.canAccept) {
      buttons.append(element("span", "muted", item.agentName ? `With ${item.agentName}` : "Waiting"));
    } else if (item.status === "queued" || (item.mine && item.acceptedAt === null)) {
      const accept = element("button", "accept", item.mine ? "Accept (offered to you)" : "Accept");
      accept.type = "button";
      accept.addEventListener("click", () => actions.accept(item));
      buttons.append(accept);
    } else if (item.mine) {
      const open = element("button", "open quiet", item.ticketId === activeTicketId ? "Open now" : "Open");
      open.type = "button";
      open.addEventListener("click", () => actions.open(item));
      buttons.append(open);
    } else {
      buttons.append(element("span", "muted", `With ${item.agentName ?? "an agent"}`));
    }
    li.append(buttons);
    list.append(li);
  }
}

/** Advances every waiting time shown; run once a second. */
export function tickWaits(list: HTMLElement): void {
  const now = Date.now();
  for (const wait of list.querySelectorAll<HTMLElement>(".wait"))
    if (wait.dataset.since) wait.textContent = waited(wait.dataset.since, now);
}

/** "1 visit", "3 visits". */
function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
