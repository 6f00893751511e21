import express from "express";
import type pg from "pg";

/** GET /healthz: 200 while the database answers, 503 when it does not. */
export function healthRouter(pool: pg.Pool, log: (line: string) => void): express.Router {
  const router = express.Router();
  router.get("/healthz", (_req, res) => {
    pool.query("SELECT 1").then(
      () => res.json({ ok: true }),
      (error: Error) => {
        log(`[health] the database does not answer: ${error.message}`);
        res.status(503).json({ ok: false, message: "The database does not answer." });
      },
    );
  });
  return router;
}
