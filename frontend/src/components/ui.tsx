"use client";
import Link from "next/link";
import type { ComponentProps, ReactNode, RefObject } from "react";
import { useEffect, useId, useRef } from "react";
import { ApiError, errorMessage } from "@/lib/api";

type Variant = "primary" | "secondary" | "danger" | "ghost";

const VARIANTS: Record<Variant, string> = {
  primary: "bg-brand-600 text-white hover:bg-brand-700 disabled:bg-brand-600/50",
  secondary: "bg-white text-slate-800 ring-1 ring-slate-300 hover:bg-slate-100 disabled:text-slate-600",
  danger: "bg-white text-red-700 ring-1 ring-red-300 hover:bg-red-50 disabled:text-red-300",
  ghost: "text-slate-700 hover:bg-slate-200/60 disabled:text-slate-600",
};

const SIZES = { sm: "px-2.5 py-1.5 text-sm", md: "px-4 py-2 text-sm", lg: "px-5 py-3 text-base" } as const;

export function buttonClass(variant: Variant = "primary", size: keyof typeof SIZES = "md", extra = "") {
  return `inline-flex items-center justify-center gap-2 whitespace-nowrap rounded-lg font-medium transition-colors disabled:cursor-not-allowed ${VARIANTS[variant]} ${SIZES[size]} ${extra}`;
}

export function Button({
  variant = "primary",
  size = "md",
  busy = false,
  className = "",
  children,
  disabled,
  type = "button",
  ...rest
}: ComponentProps<"button"> & { variant?: Variant; size?: keyof typeof SIZES; busy?: boolean }) {
  return (
    <button
      type={type}
      className={buttonClass(variant, size, className)}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy && <Spinner small />}
      {children}
    </button>
  );
}

export function LinkButton({
  variant = "primary",
  size = "md",
  className = "",
  ...rest
}: ComponentProps<typeof Link> & { variant?: Variant; size?: keyof typeof SIZES }) {
  return <Link className={buttonClass(variant, size, className)} {...rest} />;
}

export function Spinner({ small = false }: { small?: boolean }) {
  return (
    <span
      aria-hidden="true"
      className={`inline-block animate-spin rounded-full border-2 border-current border-r-transparent ${small ? "h-4 w-4" : "h-6 w-6"}`}
    />
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div role="status" className="flex items-center justify-center gap-3 py-12 text-slate-600">
      <Spinner />
      <span>{label}</span>
    </div>
  );
}

export function Alert({
  kind = "error",
  title,
  children,
  action,
  heading,
}: {
  kind?: "error" | "success" | "info" | "warning";
  title?: string;
  children?: ReactNode;
  action?: ReactNode;
  /** Render the title as this heading (an alert that is the whole page is its h1). */
  heading?: "h1" | "h2";
}) {
  const styles = {
    error: "border-red-200 bg-red-50 text-red-900",
    success: "border-emerald-200 bg-emerald-50 text-emerald-900",
    info: "border-brand-100 bg-brand-50 text-brand-800",
    warning: "border-amber-300 bg-amber-50 text-amber-900",
  }[kind];
  return (
    <div
      role={kind === "error" ? "alert" : "status"}
      className={`flex flex-col gap-3 rounded-lg border p-4 sm:flex-row sm:items-center sm:justify-between ${styles}`}
    >
      <div className="min-w-0">
        {title && heading === "h1" && <h1 className="text-lg font-semibold">{title}</h1>}
        {title && heading === "h2" && <h2 className="font-semibold">{title}</h2>}
        {title && !heading && <p className="font-semibold">{title}</p>}
        {children && <div className="text-sm">{children}</div>}
      </div>
      {action && <div className="shrink-0">{action}</div>}
    </div>
  );
}

/**
 * A failed load. With `page`, the failure is the whole page: its title is the page's h1 and a
 * link leads back to the catalog.
 */
export function ErrorState({
  error,
  onRetry,
  title,
  page = false,
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
  page?: boolean;
}) {
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <div className="py-6">
      <Alert
        title={title ?? (notFound ? "Not found" : "Something went wrong")}
        heading={page ? "h1" : undefined}
        action={
          onRetry && !notFound ? (
            <Button variant="secondary" onClick={onRetry}>
              Try again
            </Button>
          ) : undefined
        }
      >
        {errorMessage(error)}
      </Alert>
      {page && (
        <p className="mt-4 text-sm">
          <Link href="/" className="font-medium text-brand-700 underline">
            Back to the catalog
          </Link>
        </p>
      )}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
      <p className="text-lg font-semibold text-slate-800">{title}</p>
      {children && <div className="mx-auto mt-2 max-w-md text-sm text-slate-600">{children}</div>}
      {action && <div className="mt-5 flex justify-center">{action}</div>}
    </div>
  );
}

const inputClass =
  "block w-full rounded-lg border border-slate-500 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-500 focus:border-brand-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 disabled:bg-slate-100 aria-[invalid=true]:border-red-500";

interface FieldShell {
  label: string;
  error?: string;
  hint?: ReactNode;
}

function FieldWrap({
  id,
  label,
  error,
  hint,
  children,
}: FieldShell & { id: string; children: ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children}
      {hint && !error && (
        <p id={`${id}-hint`} className="text-xs text-slate-600">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

function describedBy(id: string, error?: string, hint?: ReactNode) {
  return error ? `${id}-error` : hint ? `${id}-hint` : undefined;
}

/**
 * What a form's last submit refused, each message a link to its field (WCAG 3.3.1). Not a live
 * region: focus goes to the first invalid field, which reads its own message.
 */
export function ErrorSummary({ errors, labels }: { errors: Record<string, string>; labels: Record<string, string> }) {
  const entries = Object.entries(errors);
  if (!entries.length) return null;
  return (
    <div className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900" data-testid="error-summary">
      <h2 className="font-semibold">{entries.length === 1 ? "One field needs attention" : `${entries.length} fields need attention`}</h2>
      <ul className="mt-1 list-disc pl-5">
        {entries.map(([field, message]) => (
          <li key={field}>
            <a
              href={`#${field}`}
              className="underline"
              onClick={(e) => {
                e.preventDefault();
                e.currentTarget.closest("form")?.querySelector<HTMLElement>(`[name="${field}"]`)?.focus();
              }}
            >
              {labels[field] ?? field}: {message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** After a refused submit (`attempt` counts them), focus the form's first invalid field. */
export function useFocusFirstInvalid(form: RefObject<HTMLFormElement | null>, attempt: number): void {
  useEffect(() => {
    if (attempt) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [form, attempt]);
}

export function TextField({ label, error, hint, id, ...rest }: FieldShell & ComponentProps<"input">) {
  const auto = useId();
  const fid = id ?? auto;
  return (
    <FieldWrap id={fid} label={label} error={error} hint={hint}>
      <input
        id={fid}
        className={inputClass}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(fid, error, hint)}
        {...rest}
      />
    </FieldWrap>
  );
}

export function TextArea({ label, error, hint, id, ...rest }: FieldShell & ComponentProps<"textarea">) {
  const auto = useId();
  const fid = id ?? auto;
  return (
    <FieldWrap id={fid} label={label} error={error} hint={hint}>
      <textarea
        id={fid}
        className={inputClass}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(fid, error, hint)}
        {...rest}
      />
    </FieldWrap>
  );
}

export function SelectField({
  label,
  error,
  hint,
  id,
  options,
  ...rest
}: FieldShell & ComponentProps<"select"> & { options: readonly { value: string; label: string }[] }) {
  const auto = useId();
  const fid = id ?? auto;
  return (
    <FieldWrap id={fid} label={label} error={error} hint={hint}>
      <select
        id={fid}
        className={inputClass}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(fid, error, hint)}
        {...rest}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldWrap>
  );
}

export function ProgressBar({ value, total, label }: { value: number; total: number; label: string }) {
  const pct = total > 0 ? Math.min(100, Math.round((value / total) * 100)) : 0;
  return (
    <div>
      <div className="mb-1 flex justify-between text-xs text-slate-600">
        <span>
          {value} of {total} lessons
        </span>
        <span>{pct}%</span>
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        className="h-2.5 w-full overflow-hidden rounded-full bg-slate-200"
      >
        <div
          className={`h-full rounded-full ${pct === 100 ? "bg-emerald-500" : "bg-brand-600"}`}
          style={{ width: `${pct}%` }}
        />
      </div>
    </div>
  );
}

export function Stars({ value, size = "sm" }: { value: number | null | undefined; size?: "sm" | "lg" }) {
  const v = Math.max(0, Math.min(5, Number(value ?? 0)));
  return (
    <span aria-hidden="true" className={`tracking-tight ${size === "lg" ? "text-xl" : "text-sm"}`}>
      {[1, 2, 3, 4, 5].map((i) => (
        // Filled and empty differ in shape, not only in colour (a colour pair can't reach 3:1 here).
        <span key={i} className={i <= Math.round(v) ? "text-amber-600" : "text-slate-600"}>
          {i <= Math.round(v) ? "★" : "☆"}
        </span>
      ))}
    </span>
  );
}

export function Badge({ children, tone = "slate" }: { children: ReactNode; tone?: "slate" | "green" | "amber" | "blue" }) {
  const tones = {
    slate: "bg-slate-100 text-slate-700",
    green: "bg-emerald-100 text-emerald-800",
    amber: "bg-amber-100 text-amber-900",
    blue: "bg-brand-100 text-brand-800",
  };
  return <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ${tones[tone]}`}>{children}</span>;
}

export function Pagination({
  total,
  limit,
  offset,
  onChange,
  label = "Pagination",
}: {
  total: number;
  limit: number;
  offset: number;
  onChange: (offset: number) => void;
  label?: string;
}) {
  const pages = Math.max(1, Math.ceil(total / limit));
  const page = Math.floor(offset / limit) + 1;
  const nav = useRef<HTMLElement>(null);
  // "Next →" on the last page (or "← Previous" on the first) is disabled once pressed, which
  // drops focus to <body>: focus the new current page instead, which names it.
  useEffect(() => {
    const focused = document.activeElement;
    if (!nav.current || !(focused === document.body || (focused instanceof HTMLButtonElement && focused.disabled && nav.current.contains(focused)))) return;
    if (nav.current.dataset.pressed !== "1") return;
    nav.current.dataset.pressed = "";
    nav.current.querySelector<HTMLElement>('[aria-current="page"]')?.focus();
  }, [page]);
  if (pages <= 1) return null;
  const window: number[] = [];
  for (let p = Math.max(1, page - 2); p <= Math.min(pages, page + 2); p++) window.push(p);
  return (
    <nav
      ref={nav}
      aria-label={label}
      className="flex flex-wrap items-center justify-center gap-1.5"
      onClickCapture={() => {
        if (nav.current) nav.current.dataset.pressed = "1";
      }}
    >
      <Button variant="secondary" size="sm" disabled={page <= 1} onClick={() => onChange((page - 2) * limit)}>
        ← Previous
      </Button>
      {window[0] !== undefined && window[0] > 1 && <span className="px-1 text-slate-600">…</span>}
      {window.map((p) => (
        <Button
          key={p}
          size="sm"
          variant={p === page ? "primary" : "ghost"}
          aria-current={p === page ? "page" : undefined}
          aria-label={`Page ${p}`}
          onClick={() => onChange((p - 1) * limit)}
        >
          {p}
        </Button>
      ))}
      {window[window.length - 1] !== undefined && window[window.length - 1]! < pages && (
        <span className="px-1 text-slate-600">…</span>
      )}
      <Button variant="secondary" size="sm" disabled={page >= pages} onClick={() => onChange(page * limit)}>
        Next →
      </Button>
      <span className="w-full text-center text-xs text-slate-600 sm:ml-2 sm:w-auto">
        Page {page} of {pages.toLocaleString("en-US")}
      </span>
    </nav>
  );
}

export function PageHeader({ title, children, actions }: { title: string; children?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div>
        <h1 className="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl">{title}</h1>
        {children && <div className="mt-1 text-slate-600">{children}</div>}
      </div>
      {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
    </div>
  );
}
