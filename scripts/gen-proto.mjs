// Generates the static protobuf module (JS + .d.ts) from proto/*.proto into services/schema/gen/.
// Runs before tsc; the output is not committed.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, "services/schema/gen");
const protos = readdirSync(join(root, "proto")).filter((f) => f.endsWith(".proto")).map((f) => join(root, "proto", f)).sort();
const js = join(out, "proto.js");
const dts = join(out, "proto.d.ts");
const newest = Math.max(...protos.map((p) => statSync(p).mtimeMs), statSync(new URL(import.meta.url).pathname).mtimeMs);
if (existsSync(js) && existsSync(dts) && statSync(dts).mtimeMs > newest) process.exit(0);
mkdirSync(out, { recursive: true });
const bin = (n) => join(root, "node_modules/.bin", n);
execFileSync(bin("pbjs"), ["-t", "static-module", "-w", "es6", "--force-number", "--keep-case", "--no-delimited", "--no-verify", "-o", js, ...protos], { stdio: "inherit" });
execFileSync(bin("pbts"), ["-o", dts, js], { stdio: "inherit" });
// JSON descriptor for runtime reflection (field walking for Kubernetes JSON conversion).
execFileSync(bin("pbjs"), ["-t", "json", "--keep-case", "-o", join(out, "descriptor.json"), ...protos], { stdio: "inherit" });
