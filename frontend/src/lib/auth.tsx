"use client";
import { useRouter } from "next/navigation";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { api, ApiError, TOKENS_KEY } from "./api";
import { decodeJwt } from "./jwt";
import type { Role, Tokens, User } from "./types";

export type AuthStatus = "loading" | "anonymous" | "authenticated";

interface AuthValue {
  status: AuthStatus;
  user: User | null;
  /** True once the user was confirmed by the API (not only read from the token). */
  confirmed: boolean;
  login(email: string, password: string): Promise<User>;
  register(input: { email: string; password: string; full_name: string; role: "student" | "teacher" }): Promise<User>;
  logout(): Promise<void>;
  /** Re-reads the user; with `refreshToken`, first exchanges the refresh token (new claims, e.g. is_verified). */
  reload(refreshToken?: boolean): Promise<User | null>;
}

const AuthContext = createContext<AuthValue | null>(null);

function userFromToken(tokens: Tokens | null): User | null {
  const c = decodeJwt(tokens?.access_token);
  if (!c?.sub) return null;
  const role = (c.role === "teacher" || c.role === "admin" ? c.role : "student") as Role;
  return {
    id: c.sub,
    email: c.email ?? "",
    full_name: c.name ?? c.email ?? "",
    role,
    is_verified: Boolean(c.is_verified),
    created_at: "",
  };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus>("loading");
  const [user, setUser] = useState<User | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const router = useRouter();
  // Who was logged in, until they log out or are told their session ended: a refused request
  // (or vanished tokens) while this is set means a session was lost, not that nobody had one.
  const knownUser = useRef<User | null>(null);
  // While the session is being checked at start, a refused token just means "logged out".
  const checking = useRef(false);

  const fetchMe = useCallback(async (): Promise<User | null> => {
    const tokens = api.client.getTokens();
    if (!tokens) {
      setUser(null);
      setStatus("anonymous");
      return null;
    }
    // Show who is logged in at once (from the token), then confirm with the API.
    const fromToken = userFromToken(tokens);
    if (fromToken) {
      knownUser.current ??= fromToken;
      setUser((u) => u ?? fromToken);
      setStatus("authenticated");
    }
    checking.current = true;
    try {
      let me = await api.auth.me();
      // The token's claims (which the functions trust) lag behind the database after an admin
      // verifies a teacher: refresh once so that publishing works without logging out.
      if (fromToken && (fromToken.is_verified !== me.is_verified || fromToken.role !== me.role)) {
        const fresh = await api.auth.refresh().catch(() => null);
        if (fresh) me = await api.auth.me();
      }
      knownUser.current = me;
      setUser(me);
      setConfirmed(true);
      setStatus("authenticated");
      return me;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 404)) {
        knownUser.current = null;
        api.client.setTokens(null);
        setUser(null);
        setStatus("anonymous");
        return null;
      }
      // The API is unreachable: keep the session; the token tells enough for display.
      if (!fromToken) setStatus("anonymous");
      return fromToken;
    } finally {
      checking.current = false;
    }
  }, []);

  useEffect(() => {
    void fetchMe();
    const unsubscribe = api.client.subscribe((tokens) => {
      if (!tokens) {
        setUser(null);
        setStatus("anonymous");
      }
    });
    const onStorage = (e: StorageEvent) => {
      if (e.key === TOKENS_KEY) void fetchMe();
    };
    window.addEventListener("storage", onStorage);
    // A request refused for good while someone was shown as logged in: end the session and
    // ask them to log in again, coming back to this page afterwards.
    const offSessionLost = api.client.onSessionLost(() => {
      if (checking.current || !knownUser.current) return;
      knownUser.current = null;
      setUser(null);
      setConfirmed(false);
      setStatus("anonymous");
      const here = `${window.location.pathname}${window.location.search}`;
      if (!window.location.pathname.startsWith("/login")) {
        router.push(`/login/?expired=1&next=${encodeURIComponent(here)}`);
      }
    });
    return () => {
      unsubscribe();
      offSessionLost();
      window.removeEventListener("storage", onStorage);
    };
  }, [fetchMe, router]);

  const login = useCallback(
    async (email: string, password: string) => {
      await api.auth.login({ email, password });
      setUser(null);
      const me = await fetchMe();
      if (!me) throw new ApiError(401, "unauthorized", "Login failed. Please try again.");
      return me;
    },
    [fetchMe],
  );

  const register = useCallback<AuthValue["register"]>(async (input) => {
    return api.auth.register(input);
  }, []);

  const logout = useCallback(async () => {
    knownUser.current = null;
    await api.auth.logout();
    setUser(null);
    setConfirmed(false);
    setStatus("anonymous");
  }, []);

  const reload = useCallback(
    async (refreshToken = false) => {
      if (refreshToken) await api.auth.refresh();
      return fetchMe();
    },
    [fetchMe],
  );

  const value = useMemo(
    () => ({ status, user, confirmed, login, register, logout, reload }),
    [status, user, confirmed, login, register, logout, reload],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth outside AuthProvider");
  return ctx;
}

/**
 * The in-app path to go back to after logging in, or `fallback` when `next` would leave the site.
 *
 * `next` is resolved the way the browser will resolve it (the URL parser drops tabs and
 * newlines and reads `\` as `/`, so `/\t/evil.example` is `//evil.example`): only a path that
 * stays on `origin` is kept, and what is returned is the parsed path, not the raw text.
 */
export function safeNext(
  next: string | null | undefined,
  fallback = "/",
  origin: string = typeof window === "undefined" ? "http://localhost" : window.location.origin,
): string {
  if (!next || !next.startsWith("/")) return fallback;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
