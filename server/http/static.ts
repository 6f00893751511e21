import { existsSync } from "node:fs";
import { join } from "node:path";
import express from "express";
import { projectRoot } from "../../db/paths";

/** The browser app: dist/client as built by scripts/build.mjs; showroom links get the app's page. */
export function clientApp(): express.Router {
  const root = join(projectRoot(), "dist", "client");
  const router = express.Router();
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
