"use client";
import { useRef, useState } from "react";
import { RequireAuth } from "@/components/RequireAuth";
import { Alert, Badge, Button, EmptyState, ErrorState, Loading, PageHeader, Pagination } from "@/components/ui";
import { api, errorMessage } from "@/lib/api";
import { formatDate } from "@/lib/format";
import { useAsync } from "@/lib/hooks";

const PAGE = 20;

function Teachers() {
  const [status, setStatus] = useState<"pending" | "verified">("pending");
  const [offset, setOffset] = useState(0);
  const list = useAsync(() => api.admin.teachers(status, PAGE, offset), [status, offset]);
  const [busy, setBusy] = useState<string | null>(null);
  const outcome = useRef<HTMLDivElement>(null);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);

  const verify = async (id: string, name: string) => {
    setBusy(id);
    setMessage(null);
    try {
      await api.admin.verify(id);
      list.setData((p) => p && { ...p, items: p.items.filter((u) => u.id !== id), total: Math.max(0, p.total - 1) });
      setMessage({ kind: "success", text: `${name} is verified and can now publish courses.` });
      outcome.current?.focus();
    } catch (err) {
      setMessage({ kind: "error", text: `Could not verify ${name}: ${errorMessage(err)}` });
      outcome.current?.focus();
    } finally {
      setBusy(null);
    }
  };

  const items = list.data?.items ?? [];

  return (
    <div>
      {/* A toggle group (not tabs: there are no tab panels to move between with arrow keys). */}
      <div role="group" aria-label="Teacher status" className="mb-4 inline-flex rounded-lg bg-slate-200/70 p-1">
        {(["pending", "verified"] as const).map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={status === s}
            onClick={() => {
              setStatus(s);
              setOffset(0);
              setMessage(null);
            }}
            className={`rounded-md px-3 py-1.5 text-sm font-medium capitalize ${status === s ? "bg-white shadow-sm" : "text-slate-600"}`}
          >
            {s}
            {status === s && list.data ? ` (${list.data.total})` : ""}
          </button>
        ))}
      </div>
      {/* The verified row leaves the list (and its button with it): focus moves to the outcome,
          which announces itself once (the alert's own role, no wrapping live region). */}
      <div ref={outcome} tabIndex={-1} className="outline-none">
        {message && (
          <div className="mb-4">
            <Alert kind={message.kind}>{message.text}</Alert>
          </div>
        )}
      </div>
      {list.error ? (
        <ErrorState error={list.error} onRetry={list.reload} title="Could not load teachers" />
      ) : !list.data ? (
        <Loading label="Loading teachers…" />
      ) : items.length === 0 ? (
        <EmptyState title={status === "pending" ? "No teachers are waiting" : "No verified teachers yet"}>
          {status === "pending" ? "New teacher sign-ups appear here for verification." : undefined}
        </EmptyState>
      ) : (
        <>
          <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" data-testid="teacher-list">
            {items.map((u) => (
              <li key={u.id} className="flex flex-col gap-2 p-4 sm:flex-row sm:items-center sm:justify-between" data-email={u.email}>
                <div className="min-w-0">
                  <p className="font-medium">{u.full_name || "(no name)"}</p>
                  <p className="truncate text-sm text-slate-600">{u.email}</p>
                  <p className="text-xs text-slate-600">Registered {formatDate(u.created_at)}</p>
                </div>
                {u.is_verified ? (
                  <Badge tone="green">Verified</Badge>
                ) : (
                  <Button onClick={() => verify(u.id, u.full_name || u.email)} busy={busy === u.id} aria-label={`Verify ${u.full_name || u.email}`}>
                    Verify
                  </Button>
                )}
              </li>
            ))}
          </ul>
          <div className="mt-4">
            <Pagination total={list.data.total} limit={PAGE} offset={offset} onChange={setOffset} label="Teacher pages" />
          </div>
        </>
      )}
    </div>
  );
}

export function AdminTeachers() {
  return (
    <div className="mx-auto max-w-4xl">
      <PageHeader title="Teacher verification">Verified teachers can publish their courses to the catalog.</PageHeader>
      <RequireAuth roles={["admin"]} heading="h2">{() => <Teachers />}</RequireAuth>
    </div>
  );
}
