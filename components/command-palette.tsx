"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import type { SearchGroup } from "@/lib/search";

/** Other parts of the shell (the phone menu) open the palette with this event. */
export const OPEN_PALETTE_EVENT = "opsdeck:open-palette";
const DEBOUNCE_MS = 150;

type Found = { groups: SearchGroup[] };

async function fetchResults(q: string, signal: AbortSignal): Promise<Found> {
  const res = await fetch(`/api/search?q=${encodeURIComponent(q)}`, { signal });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `Search failed (${res.status}).`);
  }
  return (await res.json()) as Found;
}

/**
 * Ctrl-K / ⌘-K from anywhere (or the header's button) opens a search over everything
 * the caller may open. Arrow keys move, Enter opens, Escape closes; focus stays inside
 * while it is open and goes back to whatever had it before.
 */
export function CommandPalette() {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const opener = useRef<HTMLElement | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const router = useRouter();
  const client = useQueryClient();
  const id = useId();

  const show = useCallback(() => {
    // Already open: the shortcut again must not make the field its own opener.
    if (dialog.current) return;
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setText("");
    setQuery("");
    setActive(0);
    setOpen(true);
  }, []);
  const close = () => {
    setOpen(false);
    // The phone menu's button closes with its panel; focus falls back to the menu button.
    const back = opener.current?.isConnected
      ? opener.current
      : (document.querySelector<HTMLElement>("[aria-controls=mobile-navigation]") ??
        button.current);
    back?.focus();
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "k") {
        e.preventDefault();
        show();
      }
    };
    const onOpen = () => show();
    document.addEventListener("keydown", onKey);
    window.addEventListener(OPEN_PALETTE_EVENT, onOpen);
    return () => {
      document.removeEventListener("keydown", onKey);
      window.removeEventListener(OPEN_PALETTE_EVENT, onOpen);
    };
  }, [show]);

  useEffect(() => {
    if (!open) return;
    input.current?.focus();
    const overflow = document.body.style.overflow;
    document.body.style.overflow = "hidden";
    return () => {
      document.body.style.overflow = overflow;
    };
  }, [open]);

  // One request per pause in typing, not per key.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const results = useQuery({
    queryKey: ["search", query],
    queryFn: ({ signal }) => fetchResults(query, signal),
    enabled: open,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  const groups = results.data?.groups ?? [];
  const flat = groups.flatMap((g) => g.items);
  const current = Math.min(active, Math.max(0, flat.length - 1));

  const go = (href: string) => {
    setOpen(false);
    opener.current = null;
    button.current?.focus();
    router.push(href);
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      close();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!flat.length) return;
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((current + step + flat.length) % flat.length);
    } else if (e.key === "Enter") {
      e.preventDefault();
      const q = text.trim();
      if (q === query && !results.isPlaceholderData) {
        const item = flat[current];
        if (item) go(item.href);
        return;
      }
      // Typed faster than the debounce: open the best match for what is typed, not for
      // the results still on screen from a few keys ago.
      void client
        .fetchQuery({
          queryKey: ["search", q],
          queryFn: ({ signal }) => fetchResults(q, signal),
          staleTime: 10_000,
        })
        .then((found) => {
          const item = found.groups[0]?.items[0];
          if (item) go(item.href);
        })
        .catch(() => undefined);
    } else if (e.key === "Tab") {
      // Focus stays in the dialog: the field and the close button are all it holds.
      const items = Array.from(
        dialog.current?.querySelectorAll<HTMLElement>("input, button") ?? [],
      );
      const at = items.indexOf(document.activeElement as HTMLElement);
      e.preventDefault();
      items[(at + (e.shiftKey ? -1 : 1) + items.length) % items.length]?.focus();
    }
  };

  useEffect(() => {
    document.getElementById(`${id}-option-${current}`)?.scrollIntoView({ block: "nearest" });
  }, [current, id, results.data]);

  // Where each group's options start in the one list the arrow keys walk.
  const starts = groups.map((_, i) => groups.slice(0, i).reduce((n, g) => n + g.items.length, 0));
  return (
    <>
      <button
        ref={button}
        type="button"
        onClick={show}
        aria-keyshortcuts="Control+K Meta+K"
        aria-haspopup="dialog"
        className="hidden h-9 items-center gap-3 rounded-md border border-slate-300 px-3 text-sm text-slate-600 hover:bg-slate-100 md:flex"
      >
        Search
        <kbd className="rounded border border-slate-200 px-1.5 font-sans text-xs text-slate-500">
          ⌘K
        </kbd>
      </button>
      {open ? (
        <div className="fixed inset-0 z-50 flex items-start justify-center px-4 pt-[10vh]">
          <div className="absolute inset-0 bg-slate-900/50" aria-hidden onClick={close} />
          <div
            ref={dialog}
            role="dialog"
            aria-modal="true"
            aria-labelledby={`${id}-label`}
            onKeyDown={onKeyDown}
            className="relative flex max-h-[75vh] w-full max-w-xl flex-col overflow-hidden rounded-lg border border-slate-200 bg-white shadow-2xl"
          >
            <div className="flex items-center gap-2 border-b border-slate-200 px-3">
              <label id={`${id}-label`} htmlFor={`${id}-input`} className="sr-only">
                Search pages, services, monitors, alerts, deployments, runbooks and docs
              </label>
              <input
                ref={input}
                id={`${id}-input`}
                type="text"
                role="combobox"
                aria-expanded={flat.length > 0}
                aria-controls={`${id}-list`}
                aria-autocomplete="list"
                aria-activedescendant={flat.length ? `${id}-option-${current}` : undefined}
                autoComplete="off"
                spellCheck={false}
                maxLength={200}
                placeholder="Search pages, monitors, alerts, deployments…"
                value={text}
                onChange={(e) => {
                  setText(e.target.value);
                  setActive(0);
                }}
                className="h-12 min-w-0 flex-1 bg-transparent text-base outline-none placeholder:text-slate-400"
              />
              <button
                type="button"
                onClick={close}
                className="rounded-md px-2 py-1 text-xs text-slate-500 hover:bg-slate-100"
              >
                Esc
              </button>
            </div>
            <div
              id={`${id}-list`}
              role="listbox"
              aria-label="Results"
              className="overflow-y-auto p-2"
            >
              {results.isError ? (
                <p role="alert" className="px-2 py-3 text-sm text-red-700">
                  {results.error.message}
                </p>
              ) : results.isPending ? (
                <p className="px-2 py-3 text-sm text-slate-500">Searching…</p>
              ) : flat.length === 0 ? (
                <p className="px-2 py-3 text-sm text-slate-500">Nothing matches “{query}”.</p>
              ) : (
                groups.map((g, gi) => (
                  <div
                    key={g.kind}
                    role="group"
                    aria-labelledby={`${id}-${g.kind}`}
                    className="mb-2"
                  >
                    <div
                      id={`${id}-${g.kind}`}
                      className="px-2 py-1 text-[11px] font-semibold tracking-wide text-slate-500 uppercase"
                    >
                      {g.label}
                    </div>
                    {g.items.map((item, ii) => {
                      const mine = starts[gi]! + ii;
                      const selected = mine === current;
                      return (
                        <div
                          key={item.href}
                          id={`${id}-option-${mine}`}
                          role="option"
                          aria-selected={selected}
                          data-href={item.href}
                          onMouseMove={() => setActive(mine)}
                          onClick={() => go(item.href)}
                          className={`cursor-pointer rounded-md px-2 py-1.5 text-sm ${selected ? "bg-slate-100" : ""}`}
                        >
                          <div className="truncate font-medium">{item.title}</div>
                          {item.detail ? (
                            <div className="truncate text-xs text-slate-500">{item.detail}</div>
                          ) : null}
                        </div>
                      );
                    })}
                    {g.more ? (
                      <div className="px-2 py-1 text-xs text-slate-500">
                        {g.more} more {g.label.toLowerCase()}: type more to narrow.
                      </div>
                    ) : null}
                  </div>
                ))
              )}
            </div>
          </div>
        </div>
      ) : null}
    </>
  );
}
