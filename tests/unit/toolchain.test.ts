import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = new URL("../..", import.meta.url).pathname;
const outDirs: string[] = [];

/** Builds everything as scripts/build.mjs does, into a temporary folder, and returns the client app bundle. */
async function buildClient(args: string[]): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), "atrium-build-"));
  outDirs.push(outdir);
  await run(process.execPath, [join(root, "scripts", "build.mjs"), ...args, "--outdir", outdir], {
    cwd: root,
    env: { ...process.env, ATRIUM_TEST_HOOKS: "" },
  });
  return readFileSync(join(outdir, "client", "app.js"), "utf8");
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

  it("leaves the browser test hook out of the production client and puts it in the test build", async () => {
    const production = await buildClient([]);
    expect(production).not.toContain("__atrium");
    const testBuild = await buildClient(["--test-hooks"]);
    expect(testBuild).toContain("window.__atrium = {");
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
