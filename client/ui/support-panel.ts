import type { Room } from "@colyseus/sdk";
import {
  MAX_CSAT_COMMENT_LENGTH,
  MAX_SUPPORT_MESSAGE_LENGTH,
  type ServerMessages,
  type SupportLine,
  type SupportTicketView,
} from "../../schema/messages";
import type { ShowroomState } from "../../schema/state";
import { isOpenTicketStatus, type OpenTicketStatus } from "../../schema/support";

/**
 * The customer's side of live support, self-contained: a Help button, the wait with the place in
 * the queue, the notice when the agent arrives, a private chat with them, and the 1-5 rating
 * after. It speaks only the support messages of the showroom room it is attached to; attach it
 * again after a rejoin. The server decides everything; this only shows and asks.
 */

export type SupportRoom = Room<unknown, ShowroomState>;

export type SupportPanelState = "idle" | "requesting" | OpenTicketStatus | "rate" | "thanks";

export interface SupportPanel {
  readonly element: HTMLElement;
  attach(room: SupportRoom): void;
  detach(): void;
  /** What the panel shows, as plain data (tests, the XR panel). */
  report(): {
    state: SupportPanelState;
    ticketId: string | null;
    position: number | null;
    agentName: string | null;
    agentSessionId: string | null;
    lines: Array<{ from: string; text: string }>;
    error: string | null;
  };
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; hidden?: boolean } = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.hidden) node.hidden = true;
  return node;
}

export function mountSupportPanel(root: HTMLElement, room?: SupportRoom): SupportPanel {
  const panel = el("section", { className: "support-panel" });
  panel.setAttribute("aria-label", "Help from our team");
  panel.setAttribute("aria-live", "polite");

  const title = el("div", { className: "title", text: "Need a hand?" });
  const note = el("div", { className: "note", text: "Someone from our team can come over to you." });
  const askForm = el("form");
  const askInput = el("input");
  askInput.placeholder = "What can we help with? (optional)";
  askInput.maxLength = MAX_SUPPORT_MESSAGE_LENGTH;
  const helpButton = el("button", { text: "Help" });
  helpButton.type = "submit";
  helpButton.id = "support-help";
  askForm.append(askInput, helpButton);

  const lines = el("ol", { className: "lines", hidden: true });
  const sayForm = el("form", { hidden: true });
  const sayInput = el("input");
  sayInput.id = "support-say";
  sayInput.placeholder = "Write to them privately…";
  sayInput.maxLength = MAX_SUPPORT_MESSAGE_LENGTH;
  const sayButton = el("button", { text: "Send" });
  sayButton.type = "submit";
  sayForm.append(sayInput, sayButton);

  const rateBox = el("div", { hidden: true });
  const stars = el("div", { className: "stars" });
  const comment = el("input");
  comment.id = "support-comment";
  comment.placeholder = "Anything to add? (optional)";
  comment.maxLength = MAX_CSAT_COMMENT_LENGTH;
  const rateButton = el("button", { text: "Send rating" });
  rateButton.id = "support-rate";
  rateButton.disabled = true;
  rateBox.append(stars, comment, rateButton);
  let score = 0;
  for (let value = 1; value <= 5; value++) {
    const star = el("button", { text: "★" });
    star.type = "button";
    star.dataset.score = String(value);
    star.title = `${value} of 5`;
    star.setAttribute("aria-pressed", "false");
    star.addEventListener("click", () => {
      score = value;
      for (const other of stars.children)
        (other as HTMLElement).setAttribute(
          "aria-pressed",
          String(Number((other as HTMLElement).dataset.score) <= value),
        );
      rateButton.disabled = false;
    });
    stars.append(star);
  }
  const error = el("div", { className: "error", hidden: true });
  panel.append(title, note, askForm, lines, sayForm, rateBox, error);
  root.append(panel);

  let current: SupportRoom | null = null;
  let unbind: Array<() => void> = [];
  let state: SupportPanelState = "idle";
  let ticket: SupportTicketView | null = null;
  let nextId = 0;
  const shown: Array<{ from: string; text: string }> = [];

  const show = (next: SupportPanelState): void => {
    state = next;
    panel.dataset.state = next;
    askForm.hidden = next !== "idle";
    const talking = isOpenTicketStatus(next);
    sayForm.hidden = !talking || next === "queued";
    lines.hidden = shown.length === 0 || !talking;
    rateBox.hidden = next !== "rate";
    const agent = ticket?.agentName ?? "An agent";
    switch (next) {
      case "idle":
        title.textContent = "Need a hand?";
        note.textContent = "Someone from our team can come over to you.";
        break;
      case "requesting":
        title.textContent = "Asking for help…";
        note.textContent = "";
        break;
      case "queued":
        title.textContent = "Waiting for an agent";
        note.textContent = ticket?.position
          ? ticket.position === 1
            ? "You are next in line."
            : `You are number ${ticket.position} in line.`
          : "You are in line.";
        break;
      case "assigned":
        title.textContent = `${agent} is on the way`;
        note.textContent = "They will appear next to you in a moment.";
        break;
      case "agent_joined":
        title.replaceChildren(el("span", { className: "staff", text: agent }), " is here, next to you");
        note.textContent = "Look around: they are the one marked as staff. Only the two of you see this chat.";
        break;
      case "rate":
        title.textContent = "How did we do?";
        note.textContent = `Rate your help from ${agent}: 1 (poor) to 5 (excellent).`;
        break;
      case "thanks":
        title.textContent = "Thank you!";
        note.textContent = "Your rating helps us help you better.";
        break;
    }
  };

  const fail = (message: string | null): void => {
    error.textContent = message ?? "";
    error.hidden = !message;
  };

  const addLine = (line: SupportLine): void => {
    shown.push({ from: line.from, text: line.text });
    const li = el("li", { className: line.from });
    li.append(el("b", { text: line.from === "agent" ? `${line.name} (staff)` : "You" }), line.text);
    lines.append(li);
    lines.hidden = false;
    lines.scrollTop = lines.scrollHeight;
  };

  const onStatus = ({ ticket: next }: ServerMessages["support:status"]): void => {
    if (next && next.ticketId !== ticket?.ticketId && next.status !== "resolved") {
      shown.length = 0;
      lines.replaceChildren();
    }
    ticket = next;
    if (!next) {
      if (state !== "thanks") show("idle");
      return;
    }
    if (next.status === "resolved") {
      show(next.csatPending ? "rate" : "thanks");
      return;
    }
    show(next.status);
  };

  askForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!current) return;
    fail(null);
    const message = askInput.value.trim();
    current.send("support:request", message ? { message } : {});
    show("requesting");
  });
  sayForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = sayInput.value.trim();
    if (!current || !text) return;
    current.send("support:say", { text, clientMessageId: `s${Date.now().toString(36)}${(nextId++).toString(36)}` });
    sayInput.value = "";
  });
  rateButton.addEventListener("click", () => {
    if (!current || !ticket || score === 0) return;
    const text = comment.value.trim();
    current.send("support:csat", { ticketId: ticket.ticketId, score, ...(text ? { comment: text } : {}) });
    rateButton.disabled = true;
  });

  const api: SupportPanel = {
    element: panel,
    attach(room) {
      api.detach();
      current = room;
      unbind = [
        room.onMessage("support:status", onStatus),
        room.onMessage("support:requested", ({ merged }: ServerMessages["support:requested"]) => {
          if (merged) note.textContent = "You have already asked: you keep your place in line.";
        }),
        room.onMessage("support:say", addLine),
        // The line itself comes back as support:say once saved; the ack only confirms it.
        room.onMessage("support:say:ack", () => fail(null)),
        room.onMessage("support:csat:ack", () => {
          show("thanks");
          setTimeout(() => state === "thanks" && show("idle"), 5000);
        }),
        room.onMessage("support:refused", (refusal: ServerMessages["support:refused"]) => {
          fail(refusal.reason);
          if (state === "requesting") show("idle");
        }),
      ];
    },
    detach() {
      unbind.forEach((off) => off());
      unbind = [];
      current = null;
    },
    report: () => ({
      state,
      ticketId: ticket?.ticketId ?? null,
      position: ticket?.position ?? null,
      agentName: ticket?.agentName ?? null,
      agentSessionId: ticket?.agentSessionId ?? null,
      lines: [...shown],
      error: error.hidden ? null : error.textContent,
    }),
  };
  show("idle");
  if (room) api.attach(room);
  return api;
}
