// Builds Atrium: the server, CLI and bench bundles for Node, and the browser client.
// Usage: node scripts/build.mjs [--test-hooks] [--outdir DIR]   (npm start, npm test and npm run bench run it for you)
//   --test-hooks (or ATRIUM_TEST_HOOKS=1): the client keeps window.__atrium, which the browser tests and
//   the benchmark read. Without it the hook is a compile-time false and esbuild drops it from the bundle.
//   --outdir: where to build, dist/ by default.
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: options } = parseArgs({
  options: { "test-hooks": { type: "boolean", default: false }, outdir: { type: "string" } },
});
const testHooks = options["test-hooks"] || process.env.ATRIUM_TEST_HOOKS === "1";
const dist = options.outdir ? resolve(options.outdir) : join(root, "dist");
const started = Date.now();

const nodeEntries = {
  server: "server/main.ts",
  "assistant-model": "server/assistant/model-worker.ts",
  nlp: "server/cli/nlp.ts",
  staff: "server/cli/staff.ts",
  bench: "bench/main.ts",
};

/** Every entry must exist: a missing one is a build error, not a bundle quietly left out. */
function checkedEntries(entries) {
  const missing = Object.values(entries).filter((file) => !existsSync(join(root, file)));
  if (missing.length > 0) throw new Error(`[build] entry files missing: ${missing.join(", ")}`);
  return entries;
}

const node = checkedEntries(nodeEntries);
await build({
  absWorkingDir: root,
  entryPoints: node,
  outdir: dist,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});

const clientOut = join(dist, "client");
rmSync(clientOut, { recursive: true, force: true });
mkdirSync(clientOut, { recursive: true });
const clientEntries = {
  app: "client/main.ts",
  agent: "client/agent/main.ts",
  recordings: "client/replay/recordings-main.ts",
  replay: "client/replay/main.ts",
};
const browser = checkedEntries(clientEntries);
await build({
  absWorkingDir: root,
  entryPoints: browser,
  outdir: clientOut,
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "es2022",
  sourcemap: true,
  define: { __ATRIUM_TEST_HOOKS__: JSON.stringify(testHooks) },
  logLevel: "warning",
});
if (existsSync(join(root, "client/static"))) cpSync(join(root, "client/static"), clientOut, { recursive: true });

// Controller models for WebXR, served locally: the default CDN is unreachable offline.
const profiles = join(root, "node_modules/@webxr-input-profiles/assets/dist/profiles");
const neededProfiles = [
  "generic-trigger",
  "generic-trigger-squeeze",
  "generic-trigger-squeeze-thumbstick",
  "meta-quest-touch-plus",
  "oculus-touch-v3",
  "oculus-touch-v2",
];
for (const name of neededProfiles) {
  if (existsSync(join(profiles, name)))
    cpSync(join(profiles, name), join(clientOut, "xr-profiles", name), { recursive: true });
}
if (existsSync(join(profiles, "profilesList.json")))
  cpSync(join(profiles, "profilesList.json"), join(clientOut, "xr-profiles", "profilesList.json"));

console.error(
  `[build] ${Object.keys(node).join(", ")} and client (${Object.keys(browser).join(", ")}${testHooks ? ", with test hooks" : ""}) built in ${Date.now() - started} ms`,
);
