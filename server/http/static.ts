import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import express from "express";
import { projectRoot } from "../../db/paths";

const clientRoot = (): string => join(projectRoot(), "dist", "client");

/**
 * The browser app: dist/client as built by scripts/build.mjs; showroom links get the app's page.
 * Source maps (the whole client source) are served only when asked for, in development.
 */
export function clientApp(options: { serveSourceMaps: boolean }): express.Router {
  const root = clientRoot();
  const router = express.Router();
  if (!options.serveSourceMaps)
    router.use((req, res, next) => (asksForSourceMap(req.path) ? res.sendStatus(404) : next()));
  router.use(express.static(root, { index: "index.html", fallthrough: true }));
  router.get("/agent", (_req, res) => {
    const page = join(root, "agent.html");
    if (existsSync(page)) res.sendFile(page);
    else res.status(503).type("text/plain").send("The agent console is not built yet: run `npm run build`.");
  });
  router.get("/privacy", (_req, res) => {
    const page = join(root, "privacy.html");
    if (existsSync(page)) res.sendFile(page);
    else res.status(503).type("text/plain").send("The privacy notice is not built yet: run `npm run build`.");
  });
  // The list of recordings, a shell like the player below: its data needs a staff session.
  router.get("/manager/recordings", (_req, res) => {
    const page = join(root, "recordings.html");
    if (existsSync(page)) res.sendFile(page);
    else res.status(503).type("text/plain").send("The recordings page is not built yet: run `npm run build`.");
  });
  // The page is a shell: the recording itself comes from /api/recordings, which decides who may watch it
  // (401 without a staff session: the page then says to sign in at /agent).
  router.get("/manager/recordings/:id", (_req, res) => {
    const page = join(root, "replay.html");
    if (existsSync(page)) res.sendFile(page);
    else res.status(503).type("text/plain").send("The recording player is not built yet: run `npm run build`.");
  });
  router.get(["/showroom/:slug", "/"], (_req, res) => {
    const page = join(root, "index.html");
    if (existsSync(page)) res.sendFile(page);
    else
      res
        .status(503)
        .type("text/plain")
        .send("The Atrium web client is not built yet: run `npm run build` (npm start does it for you).");
  });
  return router;
}

/**
 * Whether a request path would reach a source map: judged on the path as express.static resolves it,
 * percent-decoded (`/app.js.m%61p`), with trailing slashes gone and in any case (`/APP.JS.MAP`, which a
 * case-insensitive disk serves). A path that does not decode is refused by express.static itself.
 */
function asksForSourceMap(path: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  return /\.map\/*$/i.test(decoded);
}

/** The CSP hashes ("sha256-…") of the inline <style> blocks of the built pages: those, and no other inline style, may apply. */
export function inlineStyleHashes(): string[] {
  const root = clientRoot();
  if (!existsSync(root)) return [];
  const hashes = new Set<string>();
  for (const file of readdirSync(root).filter((name) => name.endsWith(".html"))) {
    for (const [, css = ""] of readFileSync(join(root, file), "utf8").matchAll(/<style>([\s\S]*?)<\/style>/g))
      hashes.add(`sha256-${createHash("sha256").update(css).digest("base64")}`);
  }
  return [...hashes];
}
