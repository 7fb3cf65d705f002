import type { Metadata } from "next";
import { Suspense } from "react";
import { Loading } from "@/components/ui";
import { CheckoutView } from "./CheckoutView";

export const metadata: Metadata = { title: "Checkout" };

export default function CheckoutPage() {
  return (
    <Suspense fallback={<Loading />}>
      <CheckoutView />
    </Suspense>
  );
}
