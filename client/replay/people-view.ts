import { Role } from "../../ecs/types";
import { byId } from "../ui/dom";
import type { ShowroomStateSource } from "../world/state-source";

/** Who is in the room at the playhead, each with buttons to watch through their eyes or over their shoulder. */

export interface Person {
  sessionId: string;
  name: string;
  role: number;
}

const ROLE_NAMES: Record<number, string> = {
  [Role.Customer]: "Visitor",
  [Role.Agent]: "Agent",
  [Role.Assistant]: "Assistant",
};

export function peopleIn(state: ShowroomStateSource): Person[] {
  const people: Person[] = [];
  state.avatars.forEach((avatar, sessionId) => people.push({ sessionId, name: avatar.name, role: avatar.role }));
  return people.sort((a, b) => a.role - b.role || a.name.localeCompare(b.name));
}

export class PeopleView {
  private readonly list = byId<HTMLUListElement>("people");
  private shown = "";

  constructor(follow: (sessionId: string, view: "eyes" | "shoulder") => void) {
    this.list.addEventListener("click", (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-view]");
      const sessionId = button?.closest<HTMLElement>("li")?.dataset.session;
      if (button && sessionId) follow(sessionId, button.dataset.view === "eyes" ? "eyes" : "shoulder");
    });
  }

  show(people: readonly Person[], followed: string | null): void {
    const key = JSON.stringify([people, followed]);
    if (key === this.shown) return;
    this.shown = key;
    this.list.replaceChildren(
      ...people.map((person) => {
        const item = document.createElement("li");
        item.dataset.session = person.sessionId;
        item.classList.toggle("followed", person.sessionId === followed);
        const name = document.createElement("span");
        name.className = "name";
        name.textContent = person.name || "Guest";
        const role = document.createElement("span");
        role.className = `role role-${person.role}`;
        role.textContent = ROLE_NAMES[person.role] ?? "Visitor";
        const who = person.name || "this visitor";
        const eyes = viewButton("eyes", "Eyes", `Watch through ${who}'s eyes`);
        const shoulder = viewButton("shoulder", "Shoulder", `Watch over ${who}'s shoulder`);
        item.append(name, role, eyes, shoulder);
        return item;
      }),
    );
    if (people.length === 0) {
      const empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = "Nobody is in the room at this moment.";
      this.list.append(empty);
    }
  }
}

/** A button that follows a person with one of the follow cameras. */
function viewButton(view: "eyes" | "shoulder", label: string, title: string): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "quiet";
  button.dataset.view = view;
  button.textContent = label;
  button.title = title;
  return button;
}
