import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { Header } from "@/components/Header";
import { AuthProvider } from "@/lib/auth";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "EduPlatform", template: "%s · EduPlatform" },
  description: "Find a course, learn at your pace, teach what you know.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <AuthProvider>
          <Header />
          {/* At least a screen tall: the footer starts below the fold, so content replacing a loading
              state does not move it in view (layout shift). */}
          <main id="main" className="mx-auto min-h-[calc(100vh-4rem)] max-w-6xl px-4 py-6 sm:py-8">
            {children}
          </main>
          <footer className="mx-auto max-w-6xl px-4 pb-8 pt-4 text-center text-xs text-slate-600">
            EduPlatform · serverless demo
          </footer>
        </AuthProvider>
      </body>
    </html>
  );
}
