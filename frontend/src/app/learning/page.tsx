import type { Metadata } from "next";
import { Suspense } from "react";
import { Loading } from "@/components/ui";
import { MyLearning } from "./MyLearning";

export const metadata: Metadata = { title: "My learning" };

export default function LearningPage() {
  return (
    <Suspense fallback={<Loading />}>
      <MyLearning />
    </Suspense>
  );
}
