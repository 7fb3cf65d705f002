"use client";
import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { CourseCard } from "@/components/CourseCard";
import { Button, EmptyState, ErrorState, Pagination, SelectField, TextField } from "@/components/ui";
import { api } from "@/lib/api";
import { CATALOG_PAGE_SIZE, CATEGORIES, LEVELS, SORTS } from "@/lib/constants";
import { pluralize } from "@/lib/format";
import { useAsync, useDebounced, useDocumentTitle } from "@/lib/hooks";
import type { CatalogQuery, CatalogSort, Level } from "@/lib/types";

type FilterKey = "q" | "category" | "level" | "min_price" | "max_price" | "free" | "sort" | "offset";

function toCents(text: string | null): number | undefined {
  if (!text) return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 100) : undefined;
}

interface Filters {
  q: string;
  category: string;
  level: Level | "";
  min_price: string;
  max_price: string;
  free: boolean;
  sort: CatalogSort;
  offset: number;
}

/** A level the API knows, else none (a hand-edited URL must not become a 422). */
function levelFrom(value: string | null): Level | "" {
  return LEVELS.find((l) => l.value === value)?.value ?? "";
}

function sortFrom(value: string | null): CatalogSort {
  return SORTS.find((s) => s.value === value)?.value ?? "newest";
}

function fromParams(params: URLSearchParams): Filters {
  return {
    q: params.get("q") ?? "",
    category: params.get("category") ?? "",
    level: levelFrom(params.get("level")),
    min_price: params.get("min_price") ?? "",
    max_price: params.get("max_price") ?? "",
    free: params.get("free") === "true",
    sort: sortFrom(params.get("sort")),
    offset: Math.max(0, Number(params.get("offset") ?? 0) || 0),
  };
}

function toParams(f: Filters): string {
  const p = new URLSearchParams();
  const set = (k: FilterKey, v: string) => {
    if (v) p.set(k, v);
  };
  set("q", f.q.trim());
  set("category", f.category);
  set("level", f.level);
  set("min_price", f.min_price.trim());
  set("max_price", f.max_price.trim());
  if (f.free) p.set("free", "true");
  if (f.sort !== "newest") set("sort", f.sort);
  if (f.offset > 0) p.set("offset", String(f.offset));
  return p.toString();
}

export function Catalog() {
  const params = useSearchParams();
  const pathname = usePathname();
  const resultCount = useRef<HTMLParagraphElement>(null);

  // The filters are state (so controls answer at once) mirrored into the URL (so a reload or a
  // shared link keeps them); a URL change from outside (e.g. the header's Catalog link) resets them.
  const [filters, setFilters] = useState<Filters>(() => fromParams(params));
  const written = useRef(params.toString());
  useEffect(() => {
    const qs = params.toString();
    if (qs !== written.current) {
      written.current = qs;
      setFilters(fromParams(params));
    }
  }, [params]);

  const debouncedQ = useDebounced(filters.q, 350);
  const debouncedMin = useDebounced(filters.min_price, 500);
  const debouncedMax = useDebounced(filters.max_price, 500);
  const effective: Filters = { ...filters, q: debouncedQ, min_price: debouncedMin, max_price: debouncedMax };
  const effectiveQs = toParams(effective);

  useEffect(() => {
    if (effectiveQs === written.current) return;
    written.current = effectiveQs;
    // The native history API (which Next's router observes) rather than router.replace: a
    // replace is a navigation of its own, and one still in flight when the user opens a course
    // would land after it and bring them back to the catalog.
    window.history.replaceState(window.history.state, "", `${pathname}${effectiveQs ? `?${effectiveQs}` : ""}`);
  }, [effectiveQs, pathname]);

  const update = (changes: Partial<Filters>) =>
    setFilters((f) => ({ ...f, ...changes, offset: "offset" in changes ? (changes.offset ?? 0) : 0 }));

  const { q, category, level, free, sort, offset } = filters;
  const minPrice = filters.min_price;
  const maxPrice = filters.max_price;

  const query: CatalogQuery = {
    q: effective.q.trim() || undefined,
    category: category || undefined,
    level: level || undefined,
    min_price: free ? undefined : toCents(effective.min_price),
    max_price: free ? undefined : toCents(effective.max_price),
    free: free || undefined,
    sort,
    limit: CATALOG_PAGE_SIZE,
    offset,
  };
  const key = JSON.stringify(query);
  const { data, error, loading, reload } = useAsync(() => api.courses.list(query), [key]);
  useDocumentTitle(effective.q.trim() ? `Courses matching “${effective.q.trim()}”` : "Catalog");

  const anyFilter = Boolean(q.trim() || category || level || free || minPrice || maxPrice);
  const priceInvalid =
    (minPrice !== "" && toCents(minPrice) === undefined) || (maxPrice !== "" && toCents(maxPrice) === undefined);

  const clearAll = () => update({ q: "", category: "", level: "", min_price: "", max_price: "", free: false });
  const setQ = (v: string) => update({ q: v });
  const setMinPrice = (v: string) => update({ min_price: v });
  const setMaxPrice = (v: string) => update({ max_price: v });

  return (
    <div>

      <form role="search" className="mb-4" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="catalog-search" className="sr-only">
          Search courses
        </label>
        <div className="relative">
          <svg aria-hidden="true" viewBox="0 0 24 24" className="pointer-events-none absolute left-3 top-1/2 h-5 w-5 -translate-y-1/2 text-slate-600" fill="none" stroke="currentColor" strokeWidth="2">
            <circle cx="11" cy="11" r="7" />
            <path d="M20 20l-3.5-3.5" strokeLinecap="round" />
          </svg>
          <input
            id="catalog-search"
            type="search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder="Search courses, e.g. Python, photography…"
            className="block w-full rounded-xl border border-slate-500 bg-white py-3 pl-10 pr-3 text-base shadow-sm placeholder:text-slate-500 focus:border-brand-600"
            autoComplete="off"
          />
        </div>
      </form>

      <section aria-label="Filters" className="mb-6 grid grid-cols-2 gap-3 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-3 lg:grid-cols-6">
        <SelectField
          label="Category"
          value={category}
          onChange={(e) => update({ category: e.target.value })}
          options={[{ value: "", label: "All categories" }, ...CATEGORIES.map((c) => ({ value: c, label: c }))]}
        />
        <SelectField
          label="Level"
          value={level}
          onChange={(e) => update({ level: levelFrom(e.target.value) })}
          options={[{ value: "", label: "All levels" }, ...LEVELS]}
        />
        <TextField
          label="Min price"
          inputMode="decimal"
          placeholder="0"
          value={minPrice}
          disabled={free}
          onChange={(e) => setMinPrice(e.target.value)}
          error={minPrice !== "" && toCents(minPrice) === undefined ? "Enter a number" : undefined}
        />
        <TextField
          label="Max price"
          inputMode="decimal"
          placeholder="Any"
          value={maxPrice}
          disabled={free}
          onChange={(e) => setMaxPrice(e.target.value)}
          error={maxPrice !== "" && toCents(maxPrice) === undefined ? "Enter a number" : undefined}
        />
        <div className="flex items-end pb-2">
          <label className="flex cursor-pointer items-center gap-2 text-sm font-medium text-slate-700">
            <input
              type="checkbox"
              className="h-4 w-4 rounded border-slate-300 accent-brand-600"
              checked={free}
              onChange={(e) => update({ free: e.target.checked })}
            />
            Free only
          </label>
        </div>
        <SelectField label="Sort by" value={sort} onChange={(e) => update({ sort: sortFrom(e.target.value) })} options={SORTS} />
      </section>

      <div className="mb-4 flex min-h-8 flex-wrap items-center justify-between gap-2">
        <p ref={resultCount} tabIndex={-1} className="text-sm text-slate-600" aria-live="polite" data-testid="result-count">
          {loading && !data ? "Searching…" : data ? `${pluralize(data.total, "course")} found` : ""}
          {data && data.total > CATALOG_PAGE_SIZE ? ` · page ${Math.floor(offset / CATALOG_PAGE_SIZE) + 1} of ${Math.ceil(data.total / CATALOG_PAGE_SIZE)}` : ""}
          {loading && data ? " · updating…" : ""}
        </p>
        {anyFilter && (
          <Button variant="ghost" size="sm" onClick={clearAll}>
            Clear filters
          </Button>
        )}
      </div>

      {priceInvalid && <p className="sr-only">Price filters must be numbers.</p>}

      {error ? (
        <ErrorState error={error} onRetry={reload} title="Could not load courses" />
      ) : !data ? (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-hidden="true">
          {Array.from({ length: 6 }, (_, i) => (
            <li key={i} className="h-48 animate-pulse rounded-xl border border-slate-200 bg-white" />
          ))}
        </ul>
      ) : data.items.length === 0 ? (
        <EmptyState
          title="No courses match"
          action={
            anyFilter ? (
              <Button variant="secondary" onClick={clearAll}>
                Clear all filters
              </Button>
            ) : undefined
          }
        >
          {anyFilter ? "Try a shorter search or fewer filters." : "No courses have been published yet."}
        </EmptyState>
      ) : (
        <>
          <ul className={`grid gap-4 sm:grid-cols-2 lg:grid-cols-3 ${loading ? "opacity-60" : ""}`} data-testid="course-list">
            {data.items.map((c) => (
              <CourseCard key={c.id} course={c} />
            ))}
          </ul>
          <div className="mt-8">
            <Pagination
              total={data.total}
              limit={CATALOG_PAGE_SIZE}
              offset={offset}
              label="Catalog pages"
              onChange={(o) => {
                update({ offset: o });
                // Focus the count (which names the new page, and is read out) instead of leaving
                // it on a pager button far below; no smooth scroll for those who asked for less motion.
                resultCount.current?.focus({ preventScroll: true });
                const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
                window.scrollTo({ top: 0, behavior: still ? "auto" : "smooth" });
              }}
            />
          </div>
        </>
      )}
    </div>
  );
}
