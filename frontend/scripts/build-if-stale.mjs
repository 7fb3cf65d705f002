#!/usr/bin/env node
/**
 * Builds the static export only when out/ is missing or older than any input
 * (src/, public/, configs, package-lock.json). Used by `make up` via `npm run build:if-stale`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const marker = join(root, "out", "index.html");
const inputs = ["src", "public", "next.config.ts", "postcss.config.mjs", "tsconfig.json", "package.json", "package-lock.json"];

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
const source = Math.max(...inputs.map((p) => newest(join(root, p))));
if (built && built >= source) {
  console.log("frontend/out is up to date");
  process.exit(0);
}
console.log(built ? "frontend/out is stale: building" : "frontend/out is missing: building");
const res = spawnSync("npx", ["next", "build"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
});
process.exit(res.status ?? 1);
