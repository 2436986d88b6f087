// Copies the generated protobuf module next to the compiled TypeScript (tsc does not copy .js).
import { cpSync } from "node:fs";
const root = new URL("..", import.meta.url).pathname;
cpSync(root + "services/schema/gen", root + "dist/services/schema/gen", { recursive: true });
