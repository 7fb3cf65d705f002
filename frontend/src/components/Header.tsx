"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { NOTIFICATIONS_CHANGED } from "@/lib/hooks";

function useUnreadCount(enabled: boolean): number | null {
  const [count, setCount] = useState<number | null>(null);
  const pathname = usePathname();
  const load = useCallback(() => {
    if (!enabled) return;
    api.notifications
      .mine({ unread: true, limit: 1 })
      .then((p) => setCount(p.total))
      .catch(() => setCount(null));
  }, [enabled]);

  useEffect(() => {
    if (!enabled) {
      setCount(null);
      return;
    }
    load();
    const timer = setInterval(load, 30_000);
    window.addEventListener(NOTIFICATIONS_CHANGED, load);
    window.addEventListener("focus", load);
    return () => {
      clearInterval(timer);
      window.removeEventListener(NOTIFICATIONS_CHANGED, load);
      window.removeEventListener("focus", load);
    };
  }, [enabled, load, pathname]);
  return count;
}

export function Header() {
  const { user, status, logout } = useAuth();
  const pathname = usePathname();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const unread = useUnreadCount(Boolean(user));

  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        // Focus was inside the menu that now closes: back to the button that opened it.
        menuButton.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);

  const links: { href: string; label: string }[] = [{ href: "/", label: "Catalog" }];
  if (user && user.role !== "admin") links.push({ href: "/learning/", label: "My learning" });
  if (user?.role === "teacher") links.push({ href: "/teacher/", label: "Teach" });
  if (user?.role === "admin") links.push({ href: "/admin/", label: "Admin" });

  const isActive = (href: string) =>
    href === "/" ? pathname === "/" || pathname.startsWith("/courses") : pathname.startsWith(href.replace(/\/$/, ""));

  const navLink = (l: { href: string; label: string }) => (
    <Link
      key={l.href}
      href={l.href}
      aria-current={isActive(l.href) ? "page" : undefined}
      className={`rounded-lg px-3 py-2 text-sm font-medium ${
        isActive(l.href) ? "bg-brand-50 text-brand-700" : "text-slate-700 hover:bg-slate-100"
      }`}
    >
      {l.label}
    </Link>
  );

  return (
    <header className="sticky top-0 z-20 border-b border-slate-200 bg-white/95 backdrop-blur">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      {/* A fixed height: the bell and the account appear once the session is known, and the
          page below must not move when they do. */}
      <div className="mx-auto flex h-16 max-w-6xl items-center gap-2 px-4">
        <Link href="/" className="mr-2 flex items-center gap-2 text-lg font-bold text-slate-900">
          <span aria-hidden="true" className="grid h-8 w-8 place-items-center rounded-lg bg-brand-600 text-sm text-white">
            E
          </span>
          <span>EduPlatform</span>
        </Link>

        <nav aria-label="Main" className="hidden items-center gap-1 md:flex">
          {links.map(navLink)}
        </nav>

        <div className="ml-auto flex items-center gap-1.5">
          {user && (
            <Link
              href="/notifications/"
              className="relative rounded-lg p-2 text-slate-700 hover:bg-slate-100"
              aria-label={unread ? `Notifications, ${unread} unread` : "Notifications"}
              data-testid="notifications-link"
            >
              <svg aria-hidden="true" viewBox="0 0 24 24" className="h-6 w-6" fill="none" stroke="currentColor" strokeWidth="1.8">
                <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" strokeLinecap="round" strokeLinejoin="round" />
                <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" strokeLinecap="round" />
              </svg>
              {unread ? (
                <span
                  data-testid="unread-badge"
                  className="absolute -right-0.5 -top-0.5 grid min-w-5 place-items-center rounded-full bg-red-600 px-1 text-[11px] font-bold leading-5 text-white"
                >
                  {unread > 99 ? "99+" : unread}
                </span>
              ) : null}
            </Link>
          )}
          {status !== "loading" && !user && (
            <div className="hidden items-center gap-1.5 md:flex">
              <Link href="/login/" className="rounded-lg px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100">
                Log in
              </Link>
              <Link
                href="/register/"
                className="rounded-lg bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700"
              >
                Sign up
              </Link>
            </div>
          )}
          {user && (
            <div className="hidden items-center gap-2 md:flex">
              <span className="max-w-48 truncate text-sm text-slate-600" title={user.email}>
                {user.full_name || user.email}
                <span className="ml-1 text-xs text-slate-600">({user.role})</span>
              </span>
              <button
                type="button"
                onClick={() => void logout().then(() => router.push("/"))}
                className="rounded-lg px-3 py-2 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100"
              >
                Log out
              </button>
            </div>
          )}
          <button
            ref={menuButton}
            type="button"
            className="rounded-lg p-2 text-slate-700 hover:bg-slate-100 md:hidden"
            aria-expanded={open}
            aria-controls="mobile-menu"
            aria-label="Menu"
            onClick={() => setOpen((o) => !o)}
          >
            <svg aria-hidden="true" viewBox="0 0 24 24" className="h-6 w-6" fill="none" stroke="currentColor" strokeWidth="2">
              {open ? <path d="M6 6l12 12M18 6L6 18" strokeLinecap="round" /> : <path d="M4 7h16M4 12h16M4 17h16" strokeLinecap="round" />}
            </svg>
          </button>
        </div>
      </div>
      {open && (
        <div id="mobile-menu" className="border-t border-slate-200 px-4 py-3 md:hidden">
          <nav aria-label="Mobile" className="flex flex-col gap-1">
            {links.map(navLink)}
            {user ? (
              <>
                <p className="px-3 pt-2 text-xs text-slate-600">
                  Signed in as {user.full_name || user.email} ({user.role})
                </p>
                <button
                  type="button"
                  onClick={() => void logout().then(() => router.push("/"))}
                  className="rounded-lg px-3 py-2 text-left text-sm font-medium text-slate-700 hover:bg-slate-100"
                >
                  Log out
                </button>
              </>
            ) : (
              status !== "loading" && (
                <>
                  {navLink({ href: "/login/", label: "Log in" })}
                  {navLink({ href: "/register/", label: "Sign up" })}
                </>
              )
            )}
          </nav>
        </div>
      )}
    </header>
  );
}
