import type { Metadata } from "next";
import { Suspense } from "react";
import { Loading } from "@/components/ui";
import { AdminTeachers } from "./AdminTeachers";

export const metadata: Metadata = { title: "Admin" };

export default function AdminPage() {
  return (
    <Suspense fallback={<Loading />}>
      <AdminTeachers />
    </Suspense>
  );
}
