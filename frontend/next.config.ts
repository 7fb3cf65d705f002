import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";

/**
 * Production: a static export in `out/`, served by the local host (or S3 + CloudFront)
 * on the same origin as `/api`. Development (`npm run dev`, port 3001): `/api/*` is proxied
 * to the local host; rewrites do not exist in a static export, so they are only set in dev.
 */
const API_ORIGIN = process.env.API_ORIGIN ?? "http://localhost:3000";

export default function config(phase: string): NextConfig {
  const base: NextConfig = {
    reactStrictMode: true,
    trailingSlash: true,
    images: { unoptimized: true },
    poweredByHeader: false,
  };
  if (phase === PHASE_DEVELOPMENT_SERVER) {
    return {
      ...base,
      // trailingSlash would otherwise redirect /api/x to /api/x/ before the proxy sees it.
      skipTrailingSlashRedirect: true,
      async rewrites() {
        return [{ source: "/api/:path*", destination: `${API_ORIGIN}/api/:path*` }];
      },
    };
  }
  return { ...base, output: "export" };
}
