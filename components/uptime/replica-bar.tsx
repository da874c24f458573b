import { bucketState, REPLICA_BUCKET_MS, type BucketState } from "@/lib/replica-health";
import { formatUptime } from "@/lib/uptime";
import { formatClock } from "@/lib/time-zone";

const COLOUR: Record<BucketState, string> = {
  up: "bg-green-500",
  partial: "bg-amber-400",
  down: "bg-red-500",
  none: "bg-slate-200",
};

const WORDS: Record<BucketState, string> = {
  up: "every scrape up",
  partial: "some scrapes down",
  down: "every scrape down",
  none: "no scrape",
};

/**
 * A replica's last 24 hours, one segment per half hour: green when every scrape was up,
 * amber when some were down, red when all were, grey without a scrape (as the uptime
 * bars colour days). Each segment names its half hour and share up.
 */
export function ReplicaBar({
  buckets,
  end,
  timeZone,
}: {
  buckets: (number | null)[];
  /** The end of the newest half hour (ISO). */
  end: string;
  timeZone: string;
}) {
  const last = Date.parse(end);
  return (
    <div
      className="flex h-5 w-full min-w-32 max-w-72 items-stretch gap-px"
      data-testid="replica-bar"
      role="img"
      aria-label={`Last 24 hours: ${buckets.filter((b) => bucketState(b) === "up").length} of ${buckets.length} half hours with every scrape up`}
    >
      {buckets.map((mean, i) => {
        const to = last - (buckets.length - 1 - i) * REPLICA_BUCKET_MS;
        const state = bucketState(mean);
        const label = `${formatClock(to - REPLICA_BUCKET_MS, timeZone)}–${formatClock(to, timeZone)}: ${
          mean === null ? WORDS.none : `${formatUptime(mean)} up, ${WORDS[state]}`
        }`;
        return (
          <div
            key={to}
            title={label}
            data-state={state}
            className={`flex-1 rounded-[1px] ${COLOUR[state]}`}
          />
        );
      })}
    </div>
  );
}
