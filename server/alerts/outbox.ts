import "server-only";
import { and, asc, eq, lte, sql } from "drizzle-orm";
import type { ChannelConfig, OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { channelState, notifications, type NotificationRow } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { redactSecrets } from "@/server/secrets/redact";
import { withAckLinks } from "./ack-link";
import { sendEmail } from "./channels/email";
import type { Outcome } from "./channels/outcome";
import { sendSlack } from "./channels/slack";
import { sendWebhook } from "./channels/webhook";
import type { NotificationPayload } from "./payload";

export function deliver(channel: ChannelConfig, row: NotificationRow): Promise<Outcome> {
  const payload = row.payload as NotificationPayload;
  switch (channel.type) {
    // People read these and can act from them: each firing alert carries its acknowledge link.
    case "slack":
      return sendSlack(channel, withAckLinks(payload, row));
    case "email":
      return sendEmail(channel, withAckLinks(payload, row), row.recipient);
    case "webhook":
      return sendWebhook(channel, payload, row.id, row.recipient);
  }
}

function laneOf(row: NotificationRow): string {
  if (row.groupKey) return `group:${row.groupKey}`;
  if (row.kind === "escalation") return `page:${row.alertIds[0]}:${row.recipient ?? ""}`;
  return `row:${row.id}`;
}

/** 5 s, 10 s, 20 s … capped at 5 minutes, with ±10 % jitter so retries do not align. */
export function backoffMs(attempts: number, random = Math.random()): number {
  const base = Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 300_000);
  return Math.round(base * (0.9 + 0.2 * random));
}

export type SenderOptions = {
  now?: () => number;
  onDelivered?: (row: NotificationRow, outcome: Outcome) => void;
};

/**
 * Delivers the outbox. Each channel gets one message at a time, oldest first, so a
 * resolved message never overtakes its firing one, and Slack's one-per-second limit
 * and any Retry-After are kept per channel. A row is marked sent only after the
 * receiver accepted it; a receiver that is down gets the row again with backoff
 * until `retryFor` has passed.
 */
export class OutboxSender {
  private readonly busy = new Set<string>();
  private readonly lastSent = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    private config: OpsdeckConfig,
    private readonly opts: SenderOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  setConfig(config: OpsdeckConfig): void {
    this.config = config;
  }

  get inFlight(): number {
    return this.busy.size;
  }

  /** Starts a delivery on every channel that has a row due and is not busy (one at a time per channel, for Slack's pace). */
  tick(): Promise<void>[] {
    const now = this.now();
    const due = this.db
      .selectDistinct({ channelId: notifications.channelId })
      .from(notifications)
      .where(
        and(eq(notifications.status, "pending"), lte(notifications.nextAttemptAt, new Date(now))),
      )
      .all();
    const started: Promise<void>[] = [];
    for (const { channelId } of due) {
      if (this.busy.has(channelId)) continue;
      const channel = this.config.alerts.channels.find((c) => c.id === channelId);
      if (!channel) {
        this.db
          .update(notifications)
          .set({ status: "expired", lastError: "the channel is no longer in the configuration" })
          .where(and(eq(notifications.channelId, channelId), eq(notifications.status, "pending")))
          .run();
        continue;
      }
      const state = this.db
        .select()
        .from(channelState)
        .where(eq(channelState.channelId, channelId))
        .get();
      if (state?.blockedUntil && state.blockedUntil.getTime() > now) continue;
      const gap = channel.type === "slack" ? channel.minInterval : 0;
      if (now - (this.lastSent.get(channelId) ?? 0) < gap) continue;
      const row = this.nextRow(channelId, now);
      if (!row) continue;
      this.busy.add(channelId);
      started.push(
        this.attempt(channel, row).finally(() => {
          this.busy.delete(channelId);
        }),
      );
    }
    return started;
  }

  /**
   * The oldest row that is due and not behind an older row of its lane. A lane is what
   * must stay in order: one group's messages (firing before resolved), one alert's pages
   * to one person. A message that keeps failing holds back its lane, not the channel.
   */
  private nextRow(channelId: string, now: number): NotificationRow | undefined {
    const rows = this.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.channelId, channelId), eq(notifications.status, "pending")))
      .orderBy(asc(notifications.id))
      .limit(500)
      .all();
    const blocked = new Set<string>();
    for (const row of rows) {
      const lane = laneOf(row);
      if (blocked.has(lane)) continue;
      if (row.nextAttemptAt.getTime() > now) {
        blocked.add(lane);
        continue;
      }
      return row;
    }
    return undefined;
  }

  /** Waits for the deliveries in flight (used at shutdown and by tests). */
  async drain(): Promise<void> {
    while (this.busy.size > 0) await new Promise((r) => setTimeout(r, 20));
  }

  private async attempt(channel: ChannelConfig, row: NotificationRow): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await deliver(channel, row);
    } catch (err) {
      outcome = { ok: false, permanent: false, error: (err as Error).message ?? String(err) };
    }
    // A receiver's answer may quote what it was sent (a URL, a token): stored and logged below.
    if (!outcome.ok) outcome = { ...outcome, error: redactSecrets(outcome.error) };
    const now = this.now();
    this.lastSent.set(channel.id, now);
    const attempts = row.attempts + 1;
    const expired =
      !outcome.ok &&
      !outcome.permanent &&
      now - row.createdAt.getTime() >= this.config.alerts.retryFor;
    this.db.transaction(
      (tx) => {
        if (outcome.ok) {
          tx.update(notifications)
            .set({ status: "sent", attempts, sentAt: new Date(now), lastError: null })
            .where(eq(notifications.id, row.id))
            .run();
          const set = { lastSuccessAt: new Date(now), permanent: false, blockedUntil: null };
          tx.insert(channelState)
            .values({ channelId: channel.id, ...set })
            .onConflictDoUpdate({ target: channelState.channelId, set })
            .run();
          return;
        }
        const wait = Math.max(outcome.retryAfterMs ?? 0, backoffMs(attempts));
        tx.update(notifications)
          .set({
            status: outcome.permanent ? "failed" : expired ? "expired" : "pending",
            attempts,
            lastError: outcome.error,
            nextAttemptAt: new Date(now + wait),
          })
          .where(eq(notifications.id, row.id))
          .run();
        const set = {
          lastErrorAt: new Date(now),
          lastError: outcome.error,
          permanent: outcome.permanent,
          blockedUntil:
            outcome.retryAfterMs !== undefined ? new Date(now + outcome.retryAfterMs) : null,
        };
        tx.insert(channelState)
          .values({ channelId: channel.id, ...set })
          .onConflictDoUpdate({ target: channelState.channelId, set })
          .run();
      },
      { behavior: "immediate" },
    );
    const context = { channel: channel.id, notification: row.id, kind: row.kind, attempts };
    if (outcome.ok) logger.info({ context }, "notification delivered");
    else
      logger.warn(
        { context: { ...context, error: outcome.error, permanent: outcome.permanent } },
        outcome.permanent
          ? "notification failed permanently"
          : "notification delivery failed; will retry",
      );
    this.opts.onDelivered?.(row, outcome);
  }
}

/** Rows waiting to be sent, per channel (for the channel pages). */
export function pendingCounts(db: Db): Map<string, number> {
  return new Map(
    db
      .select({ channelId: notifications.channelId, n: sql<number>`count(*)` })
      .from(notifications)
      .where(eq(notifications.status, "pending"))
      .groupBy(notifications.channelId)
      .all()
      .map((r) => [r.channelId, Number(r.n)]),
  );
}
