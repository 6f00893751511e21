import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("the toolchain", () => {
  it("runs the npm scripts on the Node 22 pinned in package.json, whatever the machine's Node is", () => {
    const pinned = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).devDependencies
      .node as string;
    expect(pinned.split(".")[0]).toBe("22");
    expect(process.versions.node.split(".")[0]).toBe("22");
  });
});
