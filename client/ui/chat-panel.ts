import { Role } from "../../ecs/types";
import type { ChatLine, ServerMessages } from "../../schema/messages";
import { byId } from "./dom";

/** One line as shown: confirmed by the server, waiting for it, or refused. */
export interface ShownChatLine {
  key: string;
  name: string;
  role: Role;
  text: string;
  state: "sent" | "pending" | "refused";
}

const MAX_LINES = 100;

/**
 * The room's chat on a desktop: lines with names, a field to send, and the server's refusal
 * shown plainly. A sent line shows at once as pending and turns solid when the server commits it.
 */
export class ChatPanel {
  private readonly list = byId<HTMLOListElement>("chat-lines");
  private readonly input = byId<HTMLInputElement>("chat-input");
  private readonly error = byId("chat-error");
  readonly lines: ShownChatLine[] = [];
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly transmit: (text: string) => string | null) {
    byId<HTMLFormElement>("chat-form").addEventListener("submit", (event) => {
      event.preventDefault();
      if (this.send(this.input.value)) this.input.value = "";
    });
    // Enter anywhere (outside a field) jumps into the chat box.
    document.addEventListener("keydown", (event) => {
      if (
        event.key === "Enter" &&
        document.activeElement !== this.input &&
        !(event.target instanceof HTMLInputElement)
      ) {
        this.input.focus();
        event.preventDefault();
      }
    });
  }

  /** Sends a line (typed here, or picked on the VR panel); false when it could not go out. */
  send(raw: string): boolean {
    const text = raw.trim();
    if (!text) return false;
    const clientMessageId = this.transmit(text);
    if (clientMessageId === null) {
      this.showError("Not connected — your message was not sent.");
      return false;
    }
    this.error.hidden = true;
    this.upsert({ key: clientMessageId, name: "You", role: Role.Customer, text, state: "pending" });
    return true;
  }

  /** Calls back whenever the lines change (the VR panel mirrors them). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  received(line: ChatLine): void {
    this.upsert({ key: line.id, name: line.name || "Guest", role: line.role, text: line.text, state: "sent" });
  }

  acknowledged(clientMessageId: string, id: string): void {
    const pending = this.lines.find((l) => l.key === clientMessageId);
    // The broadcast of our own line may arrive before or after the ack; keep one copy.
    if (this.lines.some((l) => l.key === id)) {
      if (pending) this.remove(pending);
    } else if (pending) {
      pending.key = id;
      pending.state = "sent";
    }
    this.render();
  }

  /** The assistant answered our @assistant line: the question is settled, the answer shown to us alone. */
  answered(reply: ServerMessages["assistant:reply"]): void {
    const question = this.lines.find((l) => l.key === reply.clientMessageId);
    if (question) question.state = "sent";
    this.upsert({
      key: `assistant-${reply.clientMessageId}`,
      name: "Assistant",
      role: Role.Assistant,
      text: reply.text,
      state: "sent",
    });
  }

  refused(clientMessageId: string, reason: string): void {
    const pending = this.lines.find((l) => l.key === clientMessageId);
    if (pending) pending.state = "refused";
    this.showError(`Message not sent: ${reason}`);
    this.render();
  }

  /** A refusal that names no message (a flood of lines): it is about the newest one still waiting. */
  refusedLatest(reason: string): void {
    const pending = [...this.lines].reverse().find((l) => l.state === "pending");
    if (pending) this.refused(pending.key, reason);
    else this.showError(`Message not sent: ${reason}`);
  }

  private showError(text: string): void {
    this.error.textContent = text;
    this.error.hidden = false;
  }

  private upsert(line: ShownChatLine): void {
    const existing = this.lines.find((l) => l.key === line.key);
    if (existing) Object.assign(existing, line);
    else this.lines.push(line);
    while (this.lines.length > MAX_LINES) this.lines.shift();
    this.render();
  }

  private remove(line: ShownChatLine): void {
    this.lines.splice(this.lines.indexOf(line), 1);
  }

  private render(): void {
    const items = this.lines.map((line) => {
      const item = document.createElement("li");
      item.className = `role-${line.role} ${line.state}`;
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = line.name;
      const text = document.createElement("span");
      text.textContent = line.text;
      item.append(who, text);
      return item;
    });
    this.list.replaceChildren(...items);
    this.list.scrollTop = this.list.scrollHeight;
    for (const listener of this.listeners) listener();
  }
}
