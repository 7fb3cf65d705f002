/** Decodes a JWT payload for display only: the client never trusts it for anything else. */
export interface AccessClaims {
  sub?: string;
  email?: string;
  name?: string;
  role?: string;
  is_verified?: boolean;
  exp?: number;
  type?: string;
}

export function decodeJwt(token: string | null | undefined): AccessClaims | null {
  if (!token) return null;
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
    const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
    const bin = atob(padded);
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    const json = new TextDecoder().decode(bytes);
    const value: unknown = JSON.parse(json);
    return value && typeof value === "object" ? (value as AccessClaims) : null;
  } catch {
    return null;
  }
}
