import { byId } from "../ui/dom";
import { recordingIdFromPath } from "./api";
import { openReplay } from "./player";
import { installFailedTestHook, installReplayTestHook } from "./test-hook";

/** The replay page's entry (bundled to dist/client/replay.js): every failure ends as a plain message, never a blank page. */

function fail(message: string, signIn: boolean): void {
  byId("player").hidden = true;
  byId("failure").hidden = false;
  byId("failure-text").textContent = message;
  byId("sign-in-link").hidden = !signIn;
  if (__ATRIUM_TEST_HOOKS__) installFailedTestHook(message);
}

async function start(): Promise<void> {
  const id = recordingIdFromPath(location.pathname);
  if (!id) {
    fail("This link names no recording: it should look like /manager/recordings/<id>.", false);
    return;
  }
  const player = await openReplay(id, byId<HTMLCanvasElement>("view"));
  if (__ATRIUM_TEST_HOOKS__) installReplayTestHook(player);
}

start().catch((error: unknown) => {
  console.error(error);
  const status = (error as { status?: unknown }).status;
  fail(error instanceof Error ? error.message : String(error), status === 401 || status === 403);
});
