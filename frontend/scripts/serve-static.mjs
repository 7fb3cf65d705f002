#!/usr/bin/env node
/**
 * A tiny server for the static export in out/: files, `dir/index.html`, `path.html`, and 404.html.
 * With API_ORIGIN set (e.g. http://127.0.0.1:3000), `/api/*` is proxied there, so the built app can
 * be tried against a running API on another port. Otherwise `/api/*` answers 503 in the API's
 * error shape (handy to look at the error states).
 *
 *   PORT=3002 API_ORIGIN=http://127.0.0.1:3000 node scripts/serve-static.mjs
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(process.env.STATIC_DIR ?? fileURLToPath(new URL("../out", import.meta.url)));
const port = Number(process.env.PORT ?? 3002);
const host = process.env.HOST ?? "127.0.0.1";
const apiOrigin = process.env.API_ORIGIN ? new URL(process.env.API_ORIGIN) : null;

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

function resolveFile(pathname) {
  const clean = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, "");
  const base = join(root, clean);
  if (!base.startsWith(root)) return null;
  const candidates = [base, join(base, "index.html"), `${base.replace(/\/$/, "")}.html`];
  for (const c of candidates) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}

function proxy(req, res) {
  const upstream = httpRequest(
    {
      protocol: apiOrigin.protocol,
      hostname: apiOrigin.hostname,
      port: apiOrigin.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: apiOrigin.host },
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on("error", () => {
    res.writeHead(502, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ error: { code: "bad_gateway", message: "The API is not reachable.", details: [] } }));
  });
  req.pipe(upstream);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname.startsWith("/api/")) {
    if (apiOrigin) return proxy(req, res);
    res.writeHead(503, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ error: { code: "service_unavailable", message: "No API is running behind this static server.", details: [] } }));
    return;
  }
  const file = resolveFile(url.pathname);
  if (!file) {
    const notFound = join(root, "404.html");
    res.writeHead(404, { "Content-Type": TYPES[".html"] });
    if (existsSync(notFound)) createReadStream(notFound).pipe(res);
    else res.end("Not found");
    return;
  }
  const immutable = url.pathname.startsWith("/_next/static/");
  res.writeHead(200, {
    "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
    "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
  });
  if (req.method === "HEAD") return res.end();
  createReadStream(file).pipe(res);
});

server.listen(port, host, () => {
  console.log(`Serving ${root} on http://${host}:${port}${apiOrigin ? ` (API → ${apiOrigin.origin})` : ""}`);
});
