import type { ShowroomView } from "../../schema/api";
import { byId } from "./dom";

export type EnterMode = "desktop" | "vr";

/** The first screen: the showroom's name, a display-name field, Enter and (with WebXR) Enter VR. */
export class Landing {
  private readonly root = byId("landing");
  private readonly title = byId("showroom-name");
  private readonly altTitle = byId("showroom-name-alt");
  private readonly nameField = byId<HTMLInputElement>("display-name");
  private readonly enterButton = byId<HTMLButtonElement>("enter");
  private readonly vrButton = byId<HTMLButtonElement>("enter-vr");
  private readonly message = byId("landing-message");

  constructor(initialName: string, onEnter: (mode: EnterMode, name: string) => void) {
    this.nameField.value = initialName;
    byId<HTMLFormElement>("enter-form").addEventListener("submit", (event) => {
      event.preventDefault();
      onEnter("desktop", this.name);
    });
    this.vrButton.addEventListener("click", () => onEnter("vr", this.name));
  }

  get name(): string {
    return this.nameField.value.trim();
  }

  showShowroom(view: ShowroomView, locale: "en" | "zh"): void {
    this.title.textContent = view.name[locale];
    this.altTitle.textContent = view.name[locale === "en" ? "zh" : "en"];
    document.title = `${view.name[locale]} · Atrium`;
  }

  setReady(ready: boolean, vrAvailable: boolean): void {
    this.enterButton.disabled = !ready;
    this.vrButton.hidden = !vrAvailable;
    this.vrButton.disabled = !ready || !vrAvailable;
  }

  say(text: string): void {
    this.message.textContent = text;
  }

  hide(): void {
    this.root.hidden = true;
  }

  show(): void {
    this.root.hidden = false;
  }
}
