import type { MonitorSummaryView } from "./uptime-view";
import { firstParam, intParam, type SearchParams } from "./search-params";

/** The /uptime list's filters, as its URL carries them; "" is "all". */
export type MonitorFilter = { environment: string; service: string; status: string; q: string };

export const MONITOR_PAGE_SIZE = 50;

export function monitorFilterOf(search: SearchParams): MonitorFilter {
  return {
    environment: firstParam(search.environment) ?? "",
    service: firstParam(search.service) ?? "",
    status: firstParam(search.status) ?? "",
    q: (firstParam(search.q) ?? "").trim().slice(0, 200),
  };
}

/** The monitors a filter keeps, in config order; the search matches name, id and service. */
export function filterMonitors<
  M extends Pick<MonitorSummaryView, "id" | "name" | "service" | "environment" | "status">,
>(monitors: M[], f: MonitorFilter): M[] {
  const q = f.q.trim().toLowerCase();
  return monitors.filter(
    (m) =>
      (!f.environment || m.environment === f.environment) &&
      (!f.service || m.service === f.service) &&
      (!f.status || m.status === f.status) &&
      (!q ||
        m.name.toLowerCase().includes(q) ||
        m.id.toLowerCase().includes(q) ||
        m.service.toLowerCase().includes(q)),
  );
}

export type Page<T> = {
  items: T[];
  /** 1-based; clamped to the last page. */
  page: number;
  pages: number;
  total: number;
  /** 1-based positions of the first and last item shown; 0 and 0 when empty. */
  from: number;
  to: number;
};

/** One page of `items`; a page past the end shows the last one. */
export function pageOf<T>(items: T[], page: number | undefined, size = MONITOR_PAGE_SIZE): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const p = Math.min(Math.max(1, page ?? 1), pages);
  const slice = items.slice((p - 1) * size, p * size);
  const from = slice.length ? (p - 1) * size + 1 : 0;
  return {
    items: slice,
    page: p,
    pages,
    total: items.length,
    from,
    to: from ? from + slice.length - 1 : 0,
  };
}

export const pageParam = (search: SearchParams) => intParam(search.page);
