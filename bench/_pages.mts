import { ADMIN, signIn, startOpsdeck, stopOpsdeck, percentile } from "/work/main/bench/server-process.ts";
const prof = process.argv[2] === "prof";
const s = await startOpsdeck({ dataDir: "/tmp/pb/1d", config: "/tmp/pb/1d/opsdeck.bench.yaml", logFile: "/tmp/pages.log", nodeArgs: prof ? ["--cpu-prof", "--cpu-prof-dir=/tmp/srvprof"] : [] });
const cookie = await signIn(s.url, ADMIN.email, ADMIN.password);
const pages = prof ? ["/"] : ["/settings", "/runbooks", "/alerts", "/", "/uptime"];
for (const p of pages) {
  const n = prof ? 300 : 40;
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(s.url + p, { headers: { cookie } });
    await r.arrayBuffer();
    if (i >= 10) xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  console.log(p.padEnd(12), percentile(xs, 0.5).toFixed(1));
}
await stopOpsdeck(s);
