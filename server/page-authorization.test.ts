import fs from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Role } from "@/lib/roles";

// Every page checks the session and role itself: a layout's check does not run when
// the client says it already holds the layout (an RSC request with a router state
// tree), so a page that relies on it renders its data for anyone. Each page here is
// called as nobody, with every data source wired to record a read: the page must ask
// requirePageUser for its role and stop before reading anything.

const root = path.resolve(__dirname, "..");

/** Each page's least role; "public" pages render for anyone. */
const PAGES: Record<string, Role | "public"> = {
  "app/(auth)/login/page.tsx": "public",
  "app/(dashboard)/[section]/page.tsx": "viewer",
  "app/(dashboard)/alerts/[id]/page.tsx": "viewer",
  "app/(dashboard)/alerts/ack/[token]/page.tsx": "viewer",
  "app/(dashboard)/alerts/channels/[id]/page.tsx": "viewer",
  "app/(dashboard)/alerts/page.tsx": "viewer",
  "app/(dashboard)/alerts/rules/[id]/page.tsx": "viewer",
  "app/(dashboard)/audit/page.tsx": "viewer",
  "app/(dashboard)/backups/page.tsx": "viewer",
  "app/(dashboard)/config/[section]/page.tsx": "admin",
  "app/(dashboard)/deployments/[id]/page.tsx": "viewer",
  "app/(dashboard)/deployments/page.tsx": "viewer",
  "app/(dashboard)/docs/[...path]/page.tsx": "viewer",
  "app/(dashboard)/forbidden/page.tsx": "viewer",
  "app/(dashboard)/jobs/[id]/page.tsx": "viewer",
  "app/(dashboard)/metrics/page.tsx": "viewer",
  "app/(dashboard)/metrics/targets/page.tsx": "viewer",
  "app/(dashboard)/oncall/page.tsx": "viewer",
  "app/(dashboard)/page.tsx": "viewer",
  "app/(dashboard)/runbooks/[slug]/page.tsx": "viewer",
  "app/(dashboard)/runbooks/page.tsx": "viewer",
  "app/(dashboard)/settings/jobs/page.tsx": "viewer",
  "app/(dashboard)/settings/page.tsx": "viewer",
  "app/(dashboard)/settings/preferences/page.tsx": "viewer",
  "app/(dashboard)/settings/users/page.tsx": "admin",
  "app/(dashboard)/uptime/[id]/page.tsx": "viewer",
  "app/(dashboard)/uptime/page.tsx": "viewer",
  "app/status/[slug]/page.tsx": "public",
};

const probe = vi.hoisted(() => {
  class Refused extends Error {
    constructor(readonly role: string) {
      super(`refused: needs ${role}`);
    }
  }
  const state = { checks: [] as string[], reads: [] as string[] };
  const read = (what: string) => () => {
    state.reads.push(what);
    throw new Error(`${what} read before the session was checked`);
  };
  return { Refused, state, read };
});

vi.mock("@/server/auth/session", () => ({
  requirePageUser: async (role: string = "viewer") => {
    probe.state.checks.push(role);
    throw new probe.Refused(role);
  },
  getSessionUser: async () => {
    probe.state.checks.push("session");
    return null;
  },
}));
vi.mock("@/server/db", () => ({ getDb: probe.read("database") }));
vi.mock("@/server/config", () => ({ getConfig: probe.read("config") }));
vi.mock("@/server/tsdb/db", () => ({ getMetricsDb: probe.read("metrics database") }));
vi.mock("@/server/runtime", () => ({ getRuntime: probe.read("runtime") }));
vi.mock("@/server/queries/runbooks", () => ({
  runbook: probe.read("runbooks"),
  runbookSlugs: probe.read("runbooks"),
}));
vi.mock("@/server/queries/docs", () => ({ renderDoc: probe.read("docs") }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers(),
  cookies: async () => ({ get: () => undefined }),
}));

function appFiles(name: string, dir = path.join(root, "app"), out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) appFiles(name, full, out);
    else if (entry.name === name) out.push(path.relative(root, full).split(path.sep).join("/"));
  }
  return out.sort();
}

// Plausible route props: a real-looking id for every dynamic segment.
const props = {
  params: Promise.resolve({
    id: "1",
    slug: "uptime-incident",
    section: "errors",
    path: ["config"],
  }),
  searchParams: Promise.resolve({}),
};

type PageModule = {
  default: (p: typeof props) => unknown;
  generateMetadata?: (p: typeof props) => unknown;
};

beforeEach(() => {
  probe.state.checks.length = 0;
  probe.state.reads.length = 0;
});

describe("every page checks the session itself", () => {
  it("the table lists every page.tsx, and no page that is gone", () => {
    expect(Object.keys(PAGES).sort()).toEqual(appFiles("page.tsx"));
  });

  const guarded = Object.entries(PAGES).filter(([, role]) => role !== "public");

  it.each(guarded)(
    "%s asks for %s before it reads any data",
    async (file, role) => {
      const mod = (await import(/* @vite-ignore */ path.join(root, file))) as PageModule;
      await expect(
        Promise.resolve().then(() => mod.default(props)),
        `${file} rendered without calling requirePageUser`,
      ).rejects.toBeInstanceOf(probe.Refused);
      expect(probe.state.reads, `${file} read data before the check`).toEqual([]);
      expect(probe.state.checks).toEqual([role]);
    },
    60_000,
  );

  // Titles name the environment and the instance, so layouts' metadata counts too.
  it.each([...guarded.map(([file]) => file), ...appFiles("layout.tsx")])(
    "%s: its generateMetadata reads nothing for an anonymous request",
    async (file) => {
      const mod = (await import(/* @vite-ignore */ path.join(root, file))) as PageModule;
      if (!mod.generateMetadata) return;
      await Promise.resolve()
        .then(() => mod.generateMetadata!(props))
        .catch((err: unknown) => {
          if (!(err instanceof probe.Refused)) throw err;
        });
      expect(probe.state.reads, `${file} generateMetadata read data`).toEqual([]);
    },
    60_000,
  );
});
