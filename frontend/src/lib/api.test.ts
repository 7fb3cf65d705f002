import { describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError, createApi, memoryTokenStore, parseError } from "./api";
import type { Tokens } from "./types";

const tokens = (n: number): Tokens => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  token_type: "bearer",
  expires_in: 900,
});

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fake server: `/api/auth/refresh` hands out generation n+1; other routes accept only the current token. */
function fakeServer(opts: { refreshOk?: boolean; validToken?: string } = {}) {
  const calls: Call[] = [];
  const valid = opts.validToken ?? "access-2";
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ url, method: init?.method ?? "GET", headers, body });
    await new Promise((r) => setTimeout(r, 1));
    if (url.endsWith("/auth/refresh")) {
      if (opts.refreshOk === false) return json(401, { error: { code: "invalid_token", message: "Refresh token expired" } });
      return json(200, tokens(2));
    }
    if (headers.Authorization !== `Bearer ${valid}`) {
      return json(401, { error: { code: "unauthorized", message: "Token expired", details: [] } });
    }
    return json(200, { ok: true, url });
  });
  return { calls, fetchImpl };
}

describe("ApiClient token refresh", () => {
  it("sends the access token as a bearer header", async () => {
    const { calls, fetchImpl } = fakeServer({ validToken: "access-1" });
    const client = new ApiClient({ baseUrl: "/api", fetch: fetchImpl, store: memoryTokenStore(tokens(1)) });
    await client.get("/users/me");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers.Authorization).toBe("Bearer access-1");
    expect(calls[0]!.url).toBe("/api/users/me");
  });

  it("refreshes once on 401 and retries the request with the new token", async () => {
    const { calls, fetchImpl } = fakeServer();
    const store = memoryTokenStore(tokens(1));
    const client = new ApiClient({ fetch: fetchImpl, store });
    const seen: (Tokens | null)[] = [];
    client.subscribe((t) => seen.push(t));

    const result = await client.get<{ ok: boolean }>("/users/me");

    expect(result.ok).toBe(true);
    expect(calls.map((c) => c.url)).toEqual(["/api/users/me", "/api/auth/refresh", "/api/users/me"]);
    expect(calls[1]!.body).toEqual({ refresh_token: "refresh-1" });
    expect(calls[1]!.headers.Authorization).toBeUndefined();
    expect(calls[2]!.headers.Authorization).toBe("Bearer access-2");
    expect(store.load()?.access_token).toBe("access-2");
    expect(seen.map((t) => t?.access_token)).toEqual(["access-2"]);
  });

  it("shares one refresh between concurrent requests", async () => {
    const { calls, fetchImpl } = fakeServer();
    const client = new ApiClient({ fetch: fetchImpl, store: memoryTokenStore(tokens(1)) });

    await Promise.all([client.get("/a"), client.get("/b"), client.get("/c")]);

    expect(calls.filter((c) => c.url.endsWith("/auth/refresh"))).toHaveLength(1);
    const retried = calls.filter((c) => c.headers.Authorization === "Bearer access-2").map((c) => c.url);
    expect(retried.sort()).toEqual(["/api/a", "/api/b", "/api/c"]);
  });

  it("clears the session and raises the 401 when the refresh is refused", async () => {
    const { calls, fetchImpl } = fakeServer({ refreshOk: false });
    const store = memoryTokenStore(tokens(1));
    const client = new ApiClient({ fetch: fetchImpl, store });
    const seen: (Tokens | null)[] = [];
    client.subscribe((t) => seen.push(t));

    const err = await client.get("/users/me").catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect(store.load()).toBeNull();
    expect(seen).toEqual([null]);
    expect(calls).toHaveLength(2);
  });

  it("retries only once: a second 401 is raised, not looped", async () => {
    const { calls, fetchImpl } = fakeServer({ validToken: "never" });
    const client = new ApiClient({ fetch: fetchImpl, store: memoryTokenStore(tokens(1)) });

    await expect(client.get("/users/me")).rejects.toMatchObject({ status: 401 });
    expect(calls.map((c) => c.url)).toEqual(["/api/users/me", "/api/auth/refresh", "/api/users/me"]);
  });

  it("does not refresh when logged out or when auth is off", async () => {
    const { calls, fetchImpl } = fakeServer();
    const client = new ApiClient({ fetch: fetchImpl, store: memoryTokenStore(null) });
    await expect(client.get("/users/me")).rejects.toMatchObject({ status: 401 });
    expect(calls).toHaveLength(1);

    const client2 = new ApiClient({ fetch: fetchImpl, store: memoryTokenStore(tokens(1)) });
    await expect(client2.post("/auth/login", { email: "a", password: "b" }, { auth: false })).rejects.toMatchObject({
      status: 401,
    });
    expect(calls).toHaveLength(2);
    expect(calls[1]!.headers.Authorization).toBeUndefined();
  });

  it("uses tokens another request already refreshed instead of refreshing again", async () => {
    const store = memoryTokenStore(tokens(1));
    const calls: string[] = [];
    const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const auth = ((init?.headers ?? {}) as Record<string, string>).Authorization;
      calls.push(`${String(input)} ${auth ?? ""}`);
      if (auth === "Bearer access-1") {
        store.save(tokens(2)); // another tab refreshed meanwhile
        return json(401, { error: { code: "unauthorized", message: "expired" } });
      }
      return json(200, {});
    });
    const client = new ApiClient({ fetch: fetchImpl, store });
    await client.get("/x");
    expect(calls).toEqual(["/api/x Bearer access-1", "/api/x Bearer access-2"]);
  });

  it("keeps the Idempotency-Key header on the retried request", async () => {
    const { calls, fetchImpl } = fakeServer();
    const api = createApi(new ApiClient({ fetch: fetchImpl, store: memoryTokenStore(tokens(1)) }));
    await api.payments.create({ offer: "o" }, "key-123");
    const payments = calls.filter((c) => c.url === "/api/payments");
    expect(payments).toHaveLength(2);
    expect(payments.map((c) => c.headers["Idempotency-Key"])).toEqual(["key-123", "key-123"]);
    expect(payments[1]!.body).toEqual({ offer: "o" });
  });

  it("login stores the tokens; logout revokes the refresh token, then clears them", async () => {
    const store = memoryTokenStore(null);
    const fetchImpl = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => json(200, tokens(7)));
    const api = createApi(new ApiClient({ fetch: fetchImpl, store }));
    await api.auth.login({ email: "a@b.c", password: "pw" });
    expect(store.load()?.access_token).toBe("access-7");

    await api.auth.logout();

    const [url, init] = fetchImpl.mock.calls[1]!;
    expect([String(url), init?.method, JSON.parse(String(init?.body))]).toEqual(["/api/auth/logout", "POST", { refresh_token: "refresh-7" }]);
    expect(store.load()).toBeNull();
  });

  it("logout clears the tokens even when the API cannot be reached", async () => {
    const store = memoryTokenStore(tokens(1));
    const api = createApi(new ApiClient({ fetch: vi.fn(async () => Promise.reject(new TypeError("offline"))), store }));
    await api.auth.logout();
    expect(store.load()).toBeNull();
  });
});

describe("a lost session", () => {
  it("a refused refresh clears the tokens and tells the session-lost listeners once", async () => {
    // Given a session whose access and refresh tokens are both refused
    const { fetchImpl } = fakeServer({ refreshOk: false });
    const store = memoryTokenStore(tokens(1));
    const client = new ApiClient({ fetch: fetchImpl, store });
    const lost = vi.fn();
    client.onSessionLost(lost);

    // When an authenticated request is made
    const failure = client.get("/enrollments/me").catch((e: unknown) => e);

    // Then it fails with 401, the tokens are gone, and the app heard of it once
    expect(await failure).toMatchObject({ status: 401 });
    expect(store.load()).toBeNull();
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it("tokens that vanished (another tab, storage cleared) are a lost session on the next 401", async () => {
    const { fetchImpl } = fakeServer();
    const client = new ApiClient({ fetch: fetchImpl, store: memoryTokenStore(null) });
    const lost = vi.fn();
    client.onSessionLost(lost);
    await client.post("/payments", { offer: "o" }).catch(() => undefined);
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it("a 401 of a request made without a session (a wrong password) is not a lost session", async () => {
    const fetchImpl = vi.fn(async () => json(401, { error: { code: "invalid_credentials", message: "Wrong" } }));
    const client = new ApiClient({ fetch: fetchImpl, store: memoryTokenStore(null) });
    const lost = vi.fn();
    client.onSessionLost(lost);
    await createApi(client).auth.login({ email: "a@b.c", password: "bad" }).catch(() => undefined);
    expect(lost).not.toHaveBeenCalled();
  });
});

describe("errors", () => {
  it("parses the contract's error shape with field details", () => {
    const err = parseError(422, {
      error: {
        code: "validation_error",
        message: "The request is not valid.",
        details: [
          { field: "email", message: "Not a valid email" },
          { field: "body.password", message: "Too short" },
        ],
      },
    });
    expect(err.status).toBe(422);
    expect(err.code).toBe("validation_error");
    expect(err.message).toBe("The request is not valid.");
    expect(err.fieldErrors()).toEqual({ email: "Not a valid email", password: "Too short" });
  });

  it("names an answer that is not the functions' error shape by its status (a gateway's own body)", () => {
    const gateway = parseError(404, { message: "Not Found" });
    expect(gateway.code).toBe("http_404");
    expect(gateway.message).toBe("Not found.");
    const plain = parseError(503, null);
    expect(plain.message).toMatch(/unavailable/i);
    expect(plain.code).toBe("http_503");
  });

  it("turns a network failure into an ApiError with status 0", async () => {
    const client = new ApiClient({
      fetch: vi.fn(async () => {
        throw new TypeError("Failed to fetch");
      }),
    });
    await expect(client.get("/courses")).rejects.toMatchObject({ status: 0, code: "network_error" });
  });

  it("builds query strings without empty values", async () => {
    const fetchImpl = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => json(200, { items: [], total: 0, limit: 12, offset: 0 }));
    const api = createApi(new ApiClient({ fetch: fetchImpl }));
    await api.courses.list({ q: "py thon", category: "", free: true, limit: 12, offset: 0 });
    expect(fetchImpl.mock.calls[0]![0]).toBe("/api/courses?q=py+thon&free=true&limit=12&offset=0");
  });
});

describe("lessons of a priced course", () => {
  function enrollmentServer(enrolled: boolean) {
    const calls: Call[] = [];
    const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      calls.push({ url, method: init?.method ?? "GET", headers: (init?.headers ?? {}) as Record<string, string>, body: undefined });
      if (url.endsWith("/entitlement")) {
        return enrolled
          ? json(200, { course_id: "c1", entitlement: "signed-entitlement", expires_in: 900 })
          : json(403, { error: { code: "not_enrolled", message: "You are not enrolled in this course." } });
      }
      return json(200, { id: "l1", content: "text" });
    });
    return { calls, api: createApi(new ApiClient({ fetch: fetchImpl, store: memoryTokenStore(tokens(1)) })) };
  }

  it("sends the enrollment's entitlement with the lesson request, fetched once per course", async () => {
    const { calls, api } = enrollmentServer(true);
    await api.lessons.get("l1", "c1");
    await api.lessons.get("l2", "c1");
    const lessonCalls = calls.filter((c) => c.url.includes("/lessons/"));
    expect(lessonCalls.map((c) => c.headers["X-Entitlement"])).toEqual(["signed-entitlement", "signed-entitlement"]);
    expect(calls.filter((c) => c.url.endsWith("/enrollments/c1/entitlement"))).toHaveLength(1);
  });

  it("asks for the lesson without an entitlement when the caller is not enrolled (free previews)", async () => {
    const { calls, api } = enrollmentServer(false);
    await api.lessons.get("l1", "c1");
    expect(calls.at(-1)!.headers["X-Entitlement"]).toBeUndefined();
  });
});
