// The API's TypeScript types, generated from the five functions' OpenAPI documents
// (openapi/<function>.json, written by `edu openapi`) into src/lib/contract/<function>.ts.
// `--check` writes nothing and exits 1 when a committed file differs (openapi-typescript's own
// --check stops at the first up-to-date file when there are several documents).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const documents = path.join(root, "openapi");
const contract = path.join(root, "src", "lib", "contract");
const check = process.argv.includes("--check");

const names = fs
  .readdirSync(documents)
  .filter((file) => file.endsWith(".json"))
  .map((file) => file.slice(0, -".json".length))
  .sort();
if (names.length === 0) {
  console.error(`no OpenAPI documents in ${documents}: run \`make openapi\``);
  process.exit(1);
}

const stale = [];
for (const name of names) {
  const source = pathToFileURL(path.join(documents, `${name}.json`));
  // defaultNonNullable off: a field with a default is optional, as the document's `required`
  // says (else every request body's defaulted field, e.g. a card number, would be required).
  const ast = await openapiTS(source, { silent: true, defaultNonNullable: false });
  const generated = `${COMMENT_HEADER}${astToString(ast)}`;
  const target = path.join(contract, `${name}.ts`);
  const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : null;
  if (current === generated) continue;
  stale.push(path.relative(root, target));
  if (!check) {
    fs.mkdirSync(contract, { recursive: true });
    fs.writeFileSync(target, generated);
  }
}

if (check && stale.length) {
  console.error(`generated API types out of date: ${stale.join(", ")} (run \`make openapi\`, then commit)`);
  process.exit(1);
}
console.log(stale.length ? `wrote ${stale.join(", ")}` : "generated API types up to date");
