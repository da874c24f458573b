import type { Metadata } from "next";
import "./globals.css";

// Every page is per-request: it depends on the session, and the CSP nonce differs per response.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Opsdeck", template: "%s · Opsdeck" },
  description:
    "Operations console: uptime, metrics, backups, deployments and rollbacks, alerting and on-call, audit.",
  robots: { index: false, follow: false },
  icons: {
    icon: [
      { url: "/favicon.ico", sizes: "48x48" },
      { url: "/favicon.svg", type: "image/svg+xml" },
    ],
    apple: "/apple-touch-icon.png",
  },
  manifest: "/manifest.webmanifest",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
