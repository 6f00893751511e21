import { PerspectiveCamera, type Object3D, WebGLRenderer } from "three";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import type { ShowroomView } from "../schema/api";
import { DesktopControls } from "./input/desktop-controls";
import { DesktopHands } from "./input/desktop-hands";
import { LocalRig } from "./input/local-rig";
import { ServerCorrection } from "./input/server-correction";
import { fetchShowroom, fetchShowroomSlugs } from "./net/api";
import { storeDisplayName, storedDisplayName } from "./net/guest-identity";
import { type ConnectionStatus, LiveSession } from "./net/live-session";
import { RenderTimer } from "./render-timer";
import { installTestHook } from "./test-hook";
import { Banner } from "./ui/banner";
import { ChatPanel } from "./ui/chat-panel";
import { mountSupportPanel } from "./ui/support-panel";
import { byId } from "./ui/dom";
import { Hud, statusText } from "./ui/hud";
import { type EnterMode, Landing } from "./ui/landing";
import { mountYourData } from "./ui/your-data";
import { WorldView } from "./world/world-view";
import { VR_CONTROLS, XrMode } from "./xr/xr-mode";

/**
 * Wires the showroom page together: landing → world → live session → controls → render loop.
 * Each piece lives in its own module; this file only connects them and turns failures into
 * plain messages.
 */

const DEFAULT_SLUG = "home-living";
const MAX_FRAME_SECONDS = 0.1;
const DESKTOP_CONTROLS =
  "Click the view to look around · WASD to walk · click a “pick me up” product to take it · Enter to chat";
/** Beyond this the server's idea of our head lags the local one: keep sending until it arrives. */
const SERVER_BEHIND_METRES = 0.05;

export interface App {
  view: ShowroomView;
  world: WorldView;
  renderer: WebGLRenderer;
  rig: LocalRig;
  hud: Hud;
  banner: Banner;
  chat: ChatPanel;
  xr: XrMode;
  hands: DesktopHands;
  timer: RenderTimer;
  session(): LiveSession | null;
}

function pageLocale(): "en" | "zh" {
  const requested = new URLSearchParams(location.search).get("lang");
  if (requested === "zh" || requested === "en") return requested;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

async function showroomSlug(baseUrl: string): Promise<string> {
  const requested = /^\/showroom\/([^/]+)/.exec(location.pathname)?.[1];
  if (requested !== undefined) return decodeURIComponent(requested);
  const slugs = await fetchShowroomSlugs(baseUrl).catch(() => []);
  return slugs[0] ?? DEFAULT_SLUG;
}

function createRenderer(canvas: HTMLCanvasElement): WebGLRenderer | null {
  try {
    const renderer = new WebGLRenderer({ canvas, antialias: true, powerPreference: "high-performance" });
    renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    return renderer;
  } catch (error) {
    console.error("WebGL is unavailable", error);
    return null;
  }
}

export async function startApp(): Promise<void> {
  const baseUrl = location.origin;
  const storage = window.localStorage;
  const locale = pageLocale();
  const banner = new Banner();
  const hud = new Hud();
  let enter: (mode: EnterMode, name: string) => void = () => undefined;
  const landing = new Landing(storedDisplayName(storage), (mode, name) => enter(mode, name));
  mountYourData(baseUrl, storage);

  const canvas = byId<HTMLCanvasElement>("view");
  const renderer = createRenderer(canvas);
  if (!renderer) {
    landing.say("3D graphics are unavailable.");
    banner.show(
      "This browser could not start WebGL, which the showroom needs to draw the room. " +
        "Try another browser, or turn on hardware acceleration in your browser's settings.",
    );
    return;
  }

  let view: ShowroomView;
  try {
    view = await fetchShowroom(baseUrl, await showroomSlug(baseUrl));
  } catch (error) {
    landing.say("The showroom could not be loaded.");
    banner.show(error instanceof Error ? error.message : String(error), "error", {
      label: "Try again",
      run: () => location.reload(),
    });
    return;
  }
  landing.showShowroom(view, locale);

  const gltf = new GLTFLoader();
  const world = new WorldView(view, {
    locale,
    loadGltf: (url) => gltf.loadAsync(url).then((loaded): Object3D => loaded.scene),
  });
  const camera = new PerspectiveCamera(70, 1, 0.05, 100);
  const rig = new LocalRig(view.bounds);
  rig.placeAt(view.spawn.x, view.spawn.z, 0);
  rig.dolly.add(camera);
  world.scene.add(rig.dolly);

  let session: LiveSession | null = null;
  const correction = new ServerCorrection();
  const timer = new RenderTimer();
  const support = mountSupportPanel(byId("hud"));
  const chat = new ChatPanel((text) => (session?.status.kind === "connected" ? session.chat(text) : null));
  const hands = new DesktopHands({
    world,
    rig,
    camera,
    grab: (sku, hand) => session?.grab(sku, hand),
    release: (hand) => session?.release(hand),
    hint: (text) => hud.hint(text),
    poseSent: () => session?.poses.hasSent(rig.pose) ?? false,
  });
  const controls = new DesktopControls(canvas, {
    primary: () => hands.primary(performance.now()),
    secondary: () => hands.dropNow(),
  });
  controls.enabled = false;
  const xr = new XrMode({
    renderer,
    rig,
    world,
    bounds: view.bounds,
    grab: (sku, hand) => session?.grab(sku, hand),
    release: (hand) => session?.release(hand),
    teleport: (x, z) => session?.teleport(x, z),
    say: (text) => chat.send(text),
    hint: (text) => hud.hint(text),
    panel: () => ({ status: hud.shownStatus, hint: hud.hintText, chat: chat.lines }),
    sessionId: () => session?.sessionId ?? null,
    ended: () => {
      hud.setCrosshair(true);
      hud.hint(`You left VR. ${DESKTOP_CONTROLS}`);
    },
  });

  const showStatus = (status: ConnectionStatus): void => {
    hud.setStatus(status);
    if (status.kind === "connected") banner.hide();
    else if (status.kind === "reconnecting") banner.show(statusText(status, 0), "info");
    else if (status.kind === "full" || status.kind === "unreachable" || status.kind === "failed")
      banner.show(status.message, "error", { label: "Reload", run: () => location.reload() });
  };

  enter = (mode, name) => {
    storeDisplayName(storage, name);
    landing.setReady(false, false);
    landing.say("Joining…");
    // The XR session must be requested inside the click that asked for it.
    const vr = mode === "vr" ? xr.enter() : Promise.resolve();
    const live = new LiveSession({
      baseUrl,
      slug: view.slug,
      name,
      storage,
      consent: landing.consent,
      events: {
        status: showStatus,
        state: (state, atMs) => {
          world.ingest(state, atMs);
          let visitors = 0;
          state.avatars.forEach(() => visitors++);
          hud.setVisitors(visitors);
        },
        welcome: (welcome) =>
          hud.hint(
            `${welcome.resumed ? "Welcome back" : "Welcome"}, ${welcome.name || "guest"}! ${xr.presenting ? VR_CONTROLS : DESKTOP_CONTROLS}`,
          ),
        chat: (line) => chat.received(line),
        chatAcknowledged: (ack) => chat.acknowledged(ack.clientMessageId, ack.id),
        chatRefused: (refusal) => chat.refused(refusal.clientMessageId, refusal.reason),
        assistantReply: (reply) => chat.answered(reply),
        grabRefused: (refusal) =>
          xr.presenting ? xr.grabRefused(refusal.reason) : hands.grabRefused(refusal.sku, refusal.reason),
        teleportRefused: (refusal) => hud.hint(`Teleport refused: ${refusal.reason.replaceAll("_", " ")}.`),
        room: (room) => support.attach(room),
        refused: (refusal) => {
          if (refusal.type === "chat") chat.refusedLatest(refusal.reason);
          else console.warn(`server refused ${refusal.type}: ${refusal.reason}`);
        },
      },
    });
    session = live;
    live.join().then(
      () => {
        landing.hide();
        hud.show();
        controls.enabled = true;
        canvas.focus();
      },
      (error: unknown) => {
        session = null;
        landing.setReady(true, vrAvailable);
        landing.say(error instanceof Error ? error.message : String(error));
        void xr.exit();
      },
    );
    vr.then(
      () => hud.setCrosshair(false),
      (error: unknown) =>
        banner.show(
          `${error instanceof Error ? error.message : String(error)} You can still visit on this screen.`,
          "error",
          { label: "OK", run: () => banner.hide() },
        ),
    );
  };

  // Closing the tab is leaving on purpose: the server need not hold the seat for a reconnection.
  window.addEventListener("pagehide", () => void session?.leave());

  // Entering on a screen never waits for the WebXR check, which some browsers answer slowly.
  let vrAvailable = false;
  landing.setReady(true, false);
  void XrMode.available().then((available) => {
    vrAvailable = available;
    if (!session) landing.setReady(true, available);
  });

  const resize = (): void => {
    const width = canvas.clientWidth || window.innerWidth;
    const height = canvas.clientHeight || window.innerHeight;
    renderer.setSize(width, height, false);
    camera.aspect = width / height;
    camera.updateProjectionMatrix();
  };
  window.addEventListener("resize", resize);
  resize();

  let last = performance.now();
  renderer.setAnimationLoop((_time, frame) => {
    const now = performance.now();
    const dt = Math.min(MAX_FRAME_SECONDS, (now - last) / 1000);
    last = now;
    const sessionId = session?.sessionId ?? null;
    if (frame && xr.presenting) {
      xr.update(frame, dt);
    } else {
      const intent = controls.read(dt);
      rig.look(intent.yaw, intent.pitch);
      rig.walk(intent.forward * dt, intent.right * dt);
      hands.spinHeld(intent.spinYaw, intent.spinPitch);
      rig.applyDesktopHead(camera);
      hands.update(dt, now, sessionId);
    }
    correction.update(now, rig, world, sessionId);
    if (session?.status.kind === "connected") session.poses.offer(now, rig.pose, correction.gap > SERVER_BEHIND_METRES);
    world.update(now, sessionId ? { sessionId, pose: rig.pose } : null);
    timer.measure(() => renderer.render(world.scene, camera));
  });

  // Test builds only (scripts/build.mjs --test-hooks); elsewhere the constant is false and the hook is not in the bundle.
  if (__ATRIUM_TEST_HOOKS__) {
    installTestHook({ view, world, renderer, rig, hud, banner, chat, xr, hands, timer, session: () => session });
  }
}
