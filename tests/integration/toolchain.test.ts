import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = new URL("../..", import.meta.url).pathname;
const outDirs: string[] = [];

/** Builds everything as scripts/build.mjs does, into a temporary folder, and returns each browser bundle by file name. */
async function buildClient(args: string[]): Promise<Map<string, string>> {
  const outdir = mkdtempSync(join(tmpdir(), "atrium-build-"));
  outDirs.push(outdir);
  await run(process.execPath, [join(root, "scripts", "build.mjs"), ...args, "--outdir", outdir], {
    cwd: root,
    env: { ...process.env, ATRIUM_TEST_HOOKS: "" },
  });
  const client = join(outdir, "client");
  const bundles = readdirSync(client).filter((name) => name.endsWith(".js"));
  return new Map(bundles.map((name) => [name, readFileSync(join(client, name), "utf8")]));
}

afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

describe("the toolchain", () => {
  it("runs the npm scripts on the Node 22 pinned in package.json, whatever the machine's Node is", () => {
    const pinned = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).devDependencies
      .node as string;
    expect(pinned.split(".")[0]).toBe("22");
    expect(process.versions.node.split(".")[0]).toBe("22");
  });

  it("leaves the browser test hooks out of the production showroom and replay pages and puts them in the test build", async () => {
    const production = await buildClient([]);
    expect(production.get("app.js")).not.toContain("__atrium");
    expect(production.get("replay.js")).toBeDefined();
    expect(production.get("replay.js")).not.toContain("__atriumReplay");
    const testBuild = await buildClient(["--test-hooks"]);
    expect(testBuild.get("app.js")).toContain("window.__atrium = {");
    expect(testBuild.get("replay.js")).toContain("window.__atriumReplay = {");
  }, 180_000);

  it("starts the server from a production build: npm start builds without the test hook", () => {
    const scripts = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).scripts as Record<
      string,
      string
    >;
    expect(scripts.start).toMatch(/^node scripts\/build\.mjs && /);
    expect(scripts.start).not.toContain("--test-hooks");
  });
});
