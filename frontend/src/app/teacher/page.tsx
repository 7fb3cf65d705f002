import type { Metadata } from "next";
import { Suspense } from "react";
import { Loading } from "@/components/ui";
import { TeacherDashboard } from "./TeacherDashboard";

export const metadata: Metadata = { title: "Teach" };

export default function TeacherPage() {
  return (
    <Suspense fallback={<Loading />}>
      <TeacherDashboard />
    </Suspense>
  );
}
