// Removes the compiled output so files deleted from the sources (tests above all) do not
// linger in dist/ and run again. tsc rebuilds everything anyway.
import { rmSync } from "node:fs";
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
