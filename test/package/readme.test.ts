/**
 * The README as npm shows it: npm renders the packed README.md on the package page, where
 * relative links and images point nowhere (the page has no repository to resolve them
 * against). So every link and image of the packed README is either an in-page anchor, an
 * absolute jsDelivr URL of a file that the tarball ships (jsDelivr serves every published
 * npm file), or an external site from a short list we can vouch for (not fetched: no network
 * in CI). The tarball carries the LICENSE.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const CDN = "https://cdn.jsdelivr.net/npm/flow-matching/";
/** External sites the README may link to. */
const EXTERNAL = ["https://keepachangelog.com/", "https://semver.org/", "https://github.com/gpujs/gpu.js", "https://www.tensorflow.org/js", "https://onnxruntime.ai/"];

/** Files `npm pack` puts in the tarball (paths relative to the package root). */
function packedFiles(): string[] {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
}

/** Link and image targets of a markdown text: [text](target), ![alt](target), <img src>, <a href>. */
function targets(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, ""); // code blocks are not links
  const found: string[] = [];
  for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) found.push(m[1]!);
  for (const m of prose.matchAll(/<(?:img|a)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)) found.push(m[1]!);
  return found;
}

/** GitHub-style anchors of the markdown headings. */
function anchors(markdown: string): Set<string> {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, "");
  return new Set([...prose.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^\w\- ]/g, "").replace(/ /g, "-")));
}

/** The targets that would not resolve on the npm page. */
function broken(list: string[], files: string[], headings: Set<string>): string[] {
  return list.filter((target) => {
    if (target.startsWith("#")) return !headings.has(target.slice(1));
    if (target.startsWith(CDN)) return !files.includes(target.slice(CDN.length).split("#")[0]!);
    return !EXTERNAL.some((site) => target.startsWith(site));
  });
}

describe("the packed package as npm shows it", () => {
  const files = packedFiles();
  const readme = readFileSync(join(root, "README.md"), "utf8");

  it("ships README.md, LICENSE (MIT, as package.json says) and the CHANGELOG", () => {
    expect(files).toEqual(expect.arrayContaining(["README.md", "LICENSE", "CHANGELOG.md", "package.json"]));
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { license: string };
    expect(pkg.license).toBe("MIT");
    expect(readFileSync(join(root, "LICENSE"), "utf8")).toMatch(/^MIT License/);
  });

  it("every link and image of the README resolves on the npm page: an anchor of the README, a shipped file on jsDelivr, or a listed site", () => {
    const list = targets(readme);
    expect(list.length).toBeGreaterThan(10);
    expect(broken(list, files, anchors(readme))).toEqual([]);
  });

  it("the README shows at least one picture, and it is shipped", () => {
    const images = targets(readme).filter((t) => /\.(svg|png|jpe?g|gif)$/i.test(t));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(files).toContain(image.slice(CDN.length));
  });

  it("the link check catches what npm would break: relative links, files not shipped, unknown sites", () => {
    const sample = "## Develop\n[a](docs/x.md) ![b](https://cdn.jsdelivr.net/npm/flow-matching/docs/nope.svg) <img src=\"https://example.com/y.png\"> [c](#develop) [d](#nowhere) [e](https://cdn.jsdelivr.net/npm/flow-matching/LICENSE)\n```sh\n[not](a-link)\n```";
    const list = targets(sample);
    expect(list).toEqual(["docs/x.md", "https://cdn.jsdelivr.net/npm/flow-matching/docs/nope.svg", "#develop", "#nowhere", "https://cdn.jsdelivr.net/npm/flow-matching/LICENSE", "https://example.com/y.png"]);
    expect(broken(list, ["LICENSE"], anchors(sample))).toEqual(["docs/x.md", "https://cdn.jsdelivr.net/npm/flow-matching/docs/nope.svg", "#nowhere", "https://example.com/y.png"]);
  });
});
