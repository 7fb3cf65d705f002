import { Suspense } from "react";
import { Loading } from "@/components/ui";
import { Catalog } from "./Catalog";

export default function CatalogPage() {
  return (
    <Suspense fallback={<Loading />}>
      <Catalog />
    </Suspense>
  );
}
