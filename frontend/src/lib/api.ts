/**
 * The one place for fetch, auth headers, token refresh and error parsing.
 *
 * - Tokens live in a TokenStore (localStorage in the browser) so a reload stays logged in.
 * - A 401 on an authenticated request triggers one refresh (shared by concurrent requests)
 *   and one retry; if the refresh fails (or the tokens are gone) the session is cleared, the
 *   session-lost listeners hear of it (the app sends the user to log in) and the 401 is raised.
 * - Every non-2xx answer becomes an ApiError carrying the contract's {code, message, details}.
 */
import type {
  AppNotification,
  CatalogQuery,
  Course,
  CourseDetail,
  CourseInput,
  CourseUpdate,
  Curriculum,
  Enrollment,
  EnrollmentInput,
  Entitlement,
  ErrorBody,
  Lesson,
  LessonCompletion,
  LessonInput,
  LessonUpdate,
  LoginInput,
  ModuleInput,
  ModuleSummary,
  ModuleUpdate,
  NotificationInput,
  NotificationPage,
  Page,
  Payment,
  PaymentInput,
  PaymentResult,
  Progress,
  RegisterInput,
  Review,
  ReviewInput,
  Tokens,
  User,
} from "./types";

/** The API's hard maximum page size. */
export const MAX_PAGE_SIZE = 100;

export interface FieldDetail {
  field?: string;
  message: string;
}

const STATUS_MESSAGES: Record<number, string> = {
  400: "The request could not be processed.",
  401: "Please log in to continue.",
  402: "The payment was declined.",
  403: "You are not allowed to do this.",
  404: "Not found.",
  409: "This conflicts with the current state.",
  422: "Some fields are not valid.",
  429: "Too many requests. Please wait a moment and try again.",
  500: "The server had a problem. Please try again.",
  502: "The server is unreachable right now. Please try again.",
  503: "The service is temporarily unavailable. Please try again shortly.",
  504: "The server took too long to answer. Please try again.",
};

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: FieldDetail[];

  constructor(status: number, code: string, message: string, details: FieldDetail[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Network failure: the request may or may not have reached the server. */
  static network(cause?: unknown): ApiError {
    const err = new ApiError(0, "network_error", "Cannot reach the server. Check your connection and try again.");
    (err as { cause?: unknown }).cause = cause;
    return err;
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }

  /** Messages keyed by field name ("body.email" → "email"). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.details) {
      if (!d.field) continue;
      const key = d.field.split(".").pop() ?? d.field;
      if (!(key in out)) out[key] = d.message;
    }
    return out;
  }
}

/** Any thrown value as a message a person can read. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error && err.message) return err.message;
  return "Something went wrong.";
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function isErrorBody(body: unknown): body is ErrorBody {
  return isRecord(body) && isRecord(body.error) && typeof body.error.code === "string";
}

/**
 * Builds an ApiError from a response body: the functions' one error shape; anything else (a
 * gateway's own answer, a proxy's HTML page) by its status alone.
 */
export function parseError(status: number, body: unknown): ApiError {
  const fallback = STATUS_MESSAGES[status] ?? `Request failed (HTTP ${status}).`;
  if (!isErrorBody(body)) return new ApiError(status, `http_${status}`, fallback);
  const { code, message, details } = body.error;
  return new ApiError(
    status,
    code,
    message || fallback,
    (details ?? []).map((d) => ({ field: d.field ?? undefined, message: d.message })),
  );
}

export interface TokenStore {
  load(): Tokens | null;
  save(tokens: Tokens | null): void;
}

export function memoryTokenStore(initial: Tokens | null = null): TokenStore {
  let current = initial;
  return {
    load: () => current,
    save: (t) => {
      current = t;
    },
  };
}

export const TOKENS_KEY = "edu.tokens";

export function localStorageTokenStore(key = TOKENS_KEY): TokenStore {
  return {
    load() {
      if (typeof window === "undefined") return null;
      try {
        const raw = window.localStorage.getItem(key);
        if (!raw) return null;
        const t: unknown = JSON.parse(raw);
        return isRecord(t) && typeof t.access_token === "string" ? (t as unknown as Tokens) : null;
      } catch {
        return null;
      }
    },
    save(tokens) {
      if (typeof window === "undefined") return;
      try {
        if (tokens) window.localStorage.setItem(key, JSON.stringify(tokens));
        else window.localStorage.removeItem(key);
      } catch {
        /* storage full or disabled: the session just won't survive a reload */
      }
    },
  };
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the access token (default true when there is one). */
  auth?: boolean;
  signal?: AbortSignal;
}

export interface ClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  store?: TokenStore;
}

type Listener = (tokens: Tokens | null) => void;
type SessionLostListener = () => void;

export function buildQuery(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === "") continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly store: TokenStore;
  private refreshing: Promise<Tokens | null> | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly sessionLostListeners = new Set<SessionLostListener>();

  constructor(options: ClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? "/api").replace(/\/$/, "");
    this.fetchImpl = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
    this.store = options.store ?? memoryTokenStore();
  }

  getTokens(): Tokens | null {
    return this.store.load();
  }

  setTokens(tokens: Tokens | null): void {
    this.store.save(tokens);
    for (const l of this.listeners) l(tokens);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called when an authenticated request is refused and no refresh can fix it. */
  onSessionLost(listener: SessionLostListener): () => void {
    this.sessionLostListeners.add(listener);
    return () => this.sessionLostListeners.delete(listener);
  }

  /**
   * Exchanges the refresh token for new tokens. Concurrent callers share one request.
   * Resolves to null (and clears the session) when the server refuses the refresh token.
   */
  refresh(): Promise<Tokens | null> {
    if (this.refreshing) return this.refreshing;
    const current = this.store.load();
    if (!current?.refresh_token) return Promise.resolve(null);
    this.refreshing = (async () => {
      try {
        const res = await this.send("POST", "/auth/refresh", {
          body: { refresh_token: current.refresh_token },
          auth: false,
        });
        if (!res.ok) {
          // Only drop the session if nobody stored newer tokens meanwhile.
          if (this.store.load()?.refresh_token === current.refresh_token) this.setTokens(null);
          return null;
        }
        const fresh = (await res.json()) as Tokens;
        const merged: Tokens = { ...fresh, refresh_token: fresh.refresh_token || current.refresh_token };
        this.setTokens(merged);
        return merged;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private async send(method: string, path: string, opts: RequestOptions, token?: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    try {
      return await this.fetchImpl(`${this.baseUrl}${path}${buildQuery(opts.query)}`, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") throw err;
      if (err instanceof Error && err.name === "AbortError") throw err;
      throw ApiError.network(err);
    }
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const useAuth = opts.auth !== false;
    const tokens = useAuth ? this.store.load() : null;
    let res = await this.send(method, path, opts, tokens?.access_token);

    if (res.status === 401 && tokens) {
      // Someone may have refreshed while this request was in flight.
      const stored = this.store.load();
      let next: Tokens | null = null;
      if (stored && stored.access_token !== tokens.access_token) next = stored;
      else next = await this.refresh();
      if (next) res = await this.send(method, path, opts, next.access_token);
    }
    if (res.status === 401 && useAuth) {
      // No token, a refused refresh, or a token refused even fresh: the session is over.
      if (this.store.load()) this.setTokens(null);
      for (const l of this.sessionLostListeners) l();
    }

    if (!res.ok) {
      let body: unknown = null;
      try {
        body = await res.json();
      } catch {
        body = null;
      }
      throw parseError(res.status, body);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, "bad_response", "The server sent an answer this page cannot read.");
    }
  }

  get<T>(path: string, opts?: RequestOptions) {
    return this.request<T>("GET", path, opts);
  }
  post<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>("POST", path, { ...opts, body: body ?? {} });
  }
  patch<T>(path: string, body: unknown, opts?: RequestOptions) {
    return this.request<T>("PATCH", path, { ...opts, body });
  }
  delete<T = void>(path: string, opts?: RequestOptions) {
    return this.request<T>("DELETE", path, opts);
  }
}

const enc = encodeURIComponent;

/**
 * The enrollment function's signed entitlements, per course: the course function asks for one
 * (`X-Entitlement`) before serving a priced course's lessons or taking a review. Kept until a
 * minute before they expire; a caller who is not enrolled (or not logged in) gets no header.
 */
function entitlementCache(client: ApiClient) {
  const held = new Map<string, { token: string; until: number }>();
  return async (courseId: string): Promise<Record<string, string>> => {
    const cached = held.get(courseId);
    if (cached && cached.until > Date.now()) return { "X-Entitlement": cached.token };
    if (!client.getTokens()) return {};
    try {
      const issued = await client.get<Entitlement>(
        `/enrollments/${enc(courseId)}/entitlement`,
      );
      held.set(courseId, { token: issued.entitlement, until: Date.now() + (issued.expires_in - 60) * 1000 });
      return { "X-Entitlement": issued.entitlement };
    } catch {
      return {}; // not enrolled: free courses and previews still open, the rest answers 403
    }
  };
}

/** The typed endpoints of SPEC §4 (shapes from the generated contract, see ./types). */
export function createApi(client: ApiClient) {
  const entitled = entitlementCache(client);
  return {
    client,
    auth: {
      register: (body: RegisterInput) => client.post<User>("/auth/register", body, { auth: false }),
      login: async (body: LoginInput) => {
        const tokens = await client.post<Tokens>("/auth/login", body, { auth: false });
        client.setTokens(tokens);
        return tokens;
      },
      /** Revokes the login's refresh token (best effort: an unreachable API still logs out here), then forgets the tokens. */
      logout: async () => {
        const refreshToken = client.getTokens()?.refresh_token;
        try {
          if (refreshToken) await client.post<void>("/auth/logout", { refresh_token: refreshToken }, { auth: false });
        } catch {
          /* the tokens are forgotten below either way */
        } finally {
          client.setTokens(null);
        }
      },
      refresh: () => client.refresh(),
      me: () => client.get<User>("/users/me"),
    },
    admin: {
      teachers: (status: "pending" | "verified", limit = 50, offset = 0) =>
        client.get<Page<User>>("/admin/teachers", { query: { status, limit, offset } }),
      verify: (userId: string) => client.post<User>(`/admin/teachers/${enc(userId)}/verify`),
    },
    courses: {
      list: (q: CatalogQuery, signal?: AbortSignal) => client.get<Page<Course>>("/courses", { query: { ...q }, signal }),
      get: (id: string) => client.get<CourseDetail>(`/courses/${enc(id)}`),
      /** Published courses by id, in one request (at most MAX_PAGE_SIZE ids). */
      byIds: (ids: string[]) =>
        client.get<Page<Course>>("/courses", { query: { ids: ids.join(","), limit: MAX_PAGE_SIZE } }),
      create: (body: CourseInput) => client.post<Course>("/courses", body),
      update: (id: string, body: CourseUpdate) => client.patch<Course>(`/courses/${enc(id)}`, body),
      remove: (id: string) => client.delete(`/courses/${enc(id)}`),
      mine: () => client.get<Page<Course>>("/teachers/me/courses", { query: { limit: 100 } }),
      curriculum: (id: string) => client.get<Curriculum>(`/courses/${enc(id)}/curriculum`),
      reviews: (id: string, limit: number, offset: number) =>
        client.get<Page<Review>>(`/courses/${enc(id)}/reviews`, { query: { limit, offset } }),
      addReview: async (id: string, body: ReviewInput) =>
        client.post<Review>(`/courses/${enc(id)}/reviews`, body, { headers: await entitled(id) }),
      progress: (id: string) => client.get<Progress>(`/courses/${enc(id)}/progress`),
    },
    modules: {
      create: (courseId: string, body: ModuleInput) => client.post<ModuleSummary>(`/courses/${enc(courseId)}/modules`, body),
      update: (id: string, body: ModuleUpdate) => client.patch<ModuleSummary>(`/modules/${enc(id)}`, body),
      remove: (id: string) => client.delete(`/modules/${enc(id)}`),
    },
    lessons: {
      /** A lesson; with its course's id, the caller's entitlement goes along (paid lessons). */
      get: async (id: string, courseId?: string) =>
        client.get<Lesson>(`/lessons/${enc(id)}`, { headers: courseId ? await entitled(courseId) : {} }),
      create: (moduleId: string, body: LessonInput) => client.post<Lesson>(`/modules/${enc(moduleId)}/lessons`, body),
      update: (id: string, body: LessonUpdate) => client.patch<Lesson>(`/lessons/${enc(id)}`, body),
      remove: (id: string) => client.delete(`/lessons/${enc(id)}`),
    },
    payments: {
      create: (body: PaymentInput, idempotencyKey: string) =>
        client.post<PaymentResult>("/payments", body, { headers: { "Idempotency-Key": idempotencyKey } }),
      mine: (opts: { status?: "succeeded" | "declined"; limit?: number } = {}) =>
        client.get<Page<Payment>>("/payments/me", { query: { limit: opts.limit ?? 100, status: opts.status } }),
    },
    enrollments: {
      create: (body: EnrollmentInput) => client.post<Enrollment>("/enrollments", body),
      mine: (limit = 100, offset = 0) => client.get<Page<Enrollment>>("/enrollments/me", { query: { limit, offset } }),
      complete: (body: { course_id: string; lesson_id: string }) => client.post<LessonCompletion>("/progress", body),
    },
    notifications: {
      create: (body: NotificationInput) => client.post<AppNotification>("/notifications", body),
      mine: (opts: { unread?: boolean; limit?: number; offset?: number } = {}) =>
        client.get<NotificationPage>("/notifications/me", {
          query: { unread: opts.unread ? "true" : undefined, limit: opts.limit, offset: opts.offset },
        }),
      markRead: (id: string) => client.post<AppNotification>(`/notifications/${enc(id)}/read`),
    },
  };
}

export type Api = ReturnType<typeof createApi>;

/** The browser's client: same origin `/api`, tokens in localStorage. */
export const api: Api = createApi(new ApiClient({ baseUrl: "/api", store: localStorageTokenStore() }));
