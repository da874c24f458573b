"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { LiveStateProvider } from "@/components/live/live-state";
import type { LiveAlertsView } from "@/lib/live-state";

export function Providers({ live, children }: { live: LiveAlertsView; children: React.ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: { queries: { staleTime: 5_000, refetchOnWindowFocus: true } },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <LiveStateProvider initial={live}>{children}</LiveStateProvider>
    </QueryClientProvider>
  );
}
