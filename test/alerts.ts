import type { Db } from "@/server/db";

/** `n` alerts (of rule "many"); with 10,000: 6,000 firing, 1,000 pending, 3,000 resolved; alert 1 has 1,000 transitions. */
export function seedAlerts(target: Db, t0: number, n = 10_000): void {
  const alert = target.$client.prepare(
    `insert into alerts (rule_id, fingerprint, labels, severity, summary, state, active_at, last_active_at, fired_at, resolved_at)
     values ('many', ?, ?, 'warning', ?, ?, ?, ?, ?, ?)`,
  );
  const transition = target.$client.prepare(
    `insert into alert_transitions (alert_id, at, from_state, to_state) values (1, ?, 'firing', 'firing')`,
  );
  const notification = target.$client.prepare(
    `insert into notifications (channel_id, kind, dedupe_key, alert_ids, payload, next_attempt_at, created_at)
     values ('slack', 'firing', ?, '[1]', '{}', ?, ?)`,
  );
  target.$client.transaction(() => {
    for (let i = 1; i <= n; i++) {
      const state = i <= 3000 ? "resolved" : i <= 4000 ? "pending" : "firing";
      // Several alerts share each start time, so the keyset must break ties by id.
      const at = t0 + Math.floor(i / 3) * 1000;
      alert.run(
        `k=${i}`,
        JSON.stringify({ service: "backend", environment: "production", kind: `k${i}` }),
        `Alert number ${i}`,
        state,
        at,
        at,
        state === "pending" ? null : at,
        state === "resolved" ? at + 60_000 : null,
      );
    }
    for (let i = 0; i < 1000; i++) transition.run(t0 + i);
    for (let i = 0; i < 300; i++) notification.run(`d${i}`, t0, t0);
  })();
}
