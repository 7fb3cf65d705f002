import type { Metadata } from "next";
import { Suspense } from "react";
import { Loading } from "@/components/ui";
import { CourseEditor } from "./CourseEditor";

export const metadata: Metadata = { title: "Edit course" };

export default function EditCoursePage() {
  return (
    <Suspense fallback={<Loading />}>
      <CourseEditor />
    </Suspense>
  );
}
