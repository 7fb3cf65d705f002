import { Suspense } from "react";
import { Catalog } from "./Catalog";

/** What does not depend on the query string is in the exported HTML (the first paint); only the
 *  filters and results, which read it, wait for the script. */
function CatalogSkeleton() {
  return (
    <ul className="mt-24 grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-hidden="true">
      {Array.from({ length: 6 }, (_, i) => (
        <li key={i} className="h-48 animate-pulse rounded-xl border border-slate-200 bg-white" />
      ))}
    </ul>
  );
}

export default function CatalogPage() {
  return (
    <>
      <div className="mb-6">
        <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">Find your next course</h1>
        <p className="mt-1 text-slate-600">Search by title or description, then narrow it down.</p>
      </div>
      <Suspense fallback={<CatalogSkeleton />}>
        <Catalog />
      </Suspense>
    </>
  );
}
