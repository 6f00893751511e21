import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../../db/paths";

/** vitest globalSetup: the integration and browser suites run the built server and client, with its test hook. */
export default function setup(): void {
  execFileSync(process.execPath, [join(projectRoot(), "scripts", "build.mjs"), "--test-hooks"], { stdio: "inherit" });
}
