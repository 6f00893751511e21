import type { ShowroomView } from "../../schema/api";
import { PRIVACY_NOTICE_VERSION } from "../../schema/privacy";
import { byId } from "./dom";

export type EnterMode = "desktop" | "vr";

/**
 * The first screen: the showroom's name, a display-name field, the privacy notice (with a consent
 * box the showroom may require before Enter works), Enter and (with WebXR) Enter VR.
 */
export class Landing {
  private readonly root = byId("landing");
  private readonly title = byId("showroom-name");
  private readonly altTitle = byId("showroom-name-alt");
  private readonly nameField = byId<HTMLInputElement>("display-name");
  private readonly enterButton = byId<HTMLButtonElement>("enter");
  private readonly vrButton = byId<HTMLButtonElement>("enter-vr");
  private readonly message = byId("landing-message");
  private readonly consentRow = byId("consent-row");
  private readonly consentBox = byId<HTMLInputElement>("consent");
  private consentRequired = false;
  private ready = false;
  private vrAvailable = false;

  constructor(initialName: string, onEnter: (mode: EnterMode, name: string) => void) {
    this.nameField.value = initialName;
    byId<HTMLFormElement>("enter-form").addEventListener("submit", (event) => {
      event.preventDefault();
      onEnter("desktop", this.name);
    });
    this.vrButton.addEventListener("click", () => onEnter("vr", this.name));
    this.consentBox.addEventListener("change", () => this.updateButtons());
  }

  /** The notice version the visitor accepted, when they ticked the box. */
  get consent(): string | undefined {
    return this.consentBox.checked ? PRIVACY_NOTICE_VERSION : undefined;
  }

  get name(): string {
    return this.nameField.value.trim();
  }

  showShowroom(view: ShowroomView, locale: "en" | "zh"): void {
    this.title.textContent = view.name[locale];
    this.altTitle.textContent = view.name[locale === "en" ? "zh" : "en"];
    document.title = `${view.name[locale]} · Atrium`;
    this.consentRequired = view.requiresConsent;
    this.consentRow.hidden = !view.requiresConsent;
    this.updateButtons();
  }

  setReady(ready: boolean, vrAvailable: boolean): void {
    this.ready = ready;
    this.vrAvailable = vrAvailable;
    this.updateButtons();
  }

  private updateButtons(): void {
    const mayEnter = this.ready && (!this.consentRequired || this.consentBox.checked);
    this.enterButton.disabled = !mayEnter;
    this.vrButton.hidden = !this.vrAvailable;
    this.vrButton.disabled = !mayEnter || !this.vrAvailable;
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
