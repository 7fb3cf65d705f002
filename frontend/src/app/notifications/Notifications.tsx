"use client";
import { useEffect, useState } from "react";
import { RequireAuth } from "@/components/RequireAuth";
import { Alert, Button, EmptyState, ErrorState, Loading, PageHeader, Pagination } from "@/components/ui";
import { api, errorMessage } from "@/lib/api";
import { formatDate } from "@/lib/format";
import { announceNotificationsChanged, useAsync } from "@/lib/hooks";

const PAGE = 20;

function List() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [offset, setOffset] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  // The pressed "Mark as read" disappears: focus the next one still unread, else the notification itself.
  const [focusAfterRead, setFocusAfterRead] = useState<string | null>(null);
  useEffect(() => {
    if (!focusAfterRead) return;
    const item = document.querySelector<HTMLElement>(`[data-notification="${CSS.escape(focusAfterRead)}"]`);
    const following = item ? [...document.querySelectorAll<HTMLElement>("[data-notification]")].slice([...document.querySelectorAll("[data-notification]")].indexOf(item)) : [];
    const nextButton = following.map((li) => li.querySelector<HTMLElement>("[data-mark-read]")).find(Boolean);
    (nextButton ?? item)?.focus();
    setFocusAfterRead(null);
  }, [focusAfterRead]);
  const list = useAsync(() => api.notifications.mine({ unread: unreadOnly, limit: PAGE, offset }), [unreadOnly, offset]);

  const markRead = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      await api.notifications.markRead(id);
      list.setData((p) => p && { ...p, items: p.items.map((n) => (n.id === id ? { ...n, is_read: true } : n)) });
      announceNotificationsChanged();
      setFocusAfterRead(id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const markAll = async () => {
    setBusy("all");
    setError(null);
    try {
      const unread = (list.data?.items ?? []).filter((n) => !n.is_read);
      for (const n of unread) await api.notifications.markRead(n.id);
      announceNotificationsChanged();
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const items = list.data?.items ?? [];
  const anyUnread = items.some((n) => !n.is_read);

  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-2">
        <div role="group" aria-label="Show" className="inline-flex rounded-lg bg-slate-200/70 p-1">
          {[
            [false, "All"],
            [true, "Unread"],
          ].map(([value, label]) => (
            <button
              key={String(label)}
              type="button"
              aria-pressed={unreadOnly === value}
              onClick={() => {
                setUnreadOnly(value as boolean);
                setOffset(0);
              }}
              className={`rounded-md px-3 py-1.5 text-sm font-medium ${unreadOnly === value ? "bg-white shadow-sm" : "text-slate-600"}`}
            >
              {label}
            </button>
          ))}
        </div>
        {anyUnread && (
          <Button variant="secondary" size="sm" onClick={markAll} busy={busy === "all"}>
            Mark all as read
          </Button>
        )}
      </div>
      {error !== null && (
        <div className="mb-4">
          <Alert title="Could not update">{errorMessage(error)}</Alert>
        </div>
      )}
      {list.error ? (
        <ErrorState error={list.error} onRetry={list.reload} title="Could not load notifications" />
      ) : !list.data ? (
        <Loading label="Loading notifications…" />
      ) : items.length === 0 ? (
        <EmptyState title={unreadOnly ? "No unread notifications" : "No notifications yet"}>
          You will hear from us here when you enroll in a course.
        </EmptyState>
      ) : (
        <>
          <ul className="space-y-2" data-testid="notification-list">
            {items.map((n) => (
              <li
                key={n.id}
                data-notification={n.id}
                tabIndex={-1}
                className={`flex flex-col gap-3 rounded-xl border p-4 sm:flex-row sm:items-start sm:justify-between ${
                  n.is_read ? "border-slate-200 bg-white" : "border-brand-100 bg-brand-50"
                }`}
                data-unread={!n.is_read || undefined}
              >
                <div className="min-w-0">
                  <p className="flex items-center gap-2 font-semibold">
                    {!n.is_read && <span className="h-2 w-2 shrink-0 rounded-full bg-brand-600" aria-hidden="true" />}
                    {n.title}
                    {!n.is_read && <span className="sr-only">(unread)</span>}
                  </p>
                  <p className="mt-1 text-sm text-slate-700">{n.body}</p>
                  <p className="mt-1 text-xs text-slate-600">{formatDate(n.created_at)}</p>
                </div>
                {!n.is_read && (
                  <Button variant="secondary" size="sm" onClick={() => markRead(n.id)} busy={busy === n.id} aria-label={`Mark as read: ${n.title}`} data-mark-read>
                    Mark as read
                  </Button>
                )}
              </li>
            ))}
          </ul>
          <div className="mt-4">
            <Pagination total={list.data.total} limit={PAGE} offset={offset} onChange={setOffset} label="Notification pages" />
          </div>
        </>
      )}
    </div>
  );
}

export function Notifications() {
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader title="Notifications" />
      <RequireAuth heading="h2">{() => <List />}</RequireAuth>
    </div>
  );
}
