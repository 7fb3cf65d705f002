import type { Metadata } from "next";
import { Suspense } from "react";
import { Loading } from "@/components/ui";
import { LessonViewer } from "./LessonViewer";

export const metadata: Metadata = { title: "Lesson" };

export default function LearnPage() {
  return (
    <Suspense fallback={<Loading />}>
      <LessonViewer />
    </Suspense>
  );
}
