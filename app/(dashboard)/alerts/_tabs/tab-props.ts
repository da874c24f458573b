import type { SearchParams } from "@/lib/search-params";

/** What the Alerts page hands every tab: the URL's parameters, the render's clock, the role. */
export type TabProps = {
  search: SearchParams;
  now: number;
  canOperate: boolean;
  /** The viewer's zone, for every time shown. */
  tz: string;
};
