"use client";

import { useEffect, useRef, useState } from "react";
import { OPEN_PALETTE_EVENT } from "@/components/command-palette";
import { NavLinks } from "@/components/nav-links";

const PANEL_ID = "mobile-navigation";

/**
 * Below the md breakpoint the sidebar is hidden; this button opens the same navigation
 * as a panel over the page. Focus moves into it and stays there while it is open; Escape,
 * the close button, the backdrop or following a link close it, and focus goes back to
 * the button.
 */
export function MobileNav({ title }: { title: string }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    const root = panel.current;
    const focusable = () =>
      Array.from(root?.querySelectorAll<HTMLElement>("a[href], button") ?? []).filter(
        (el) => !el.hasAttribute("disabled"),
      );
    (root?.querySelector<HTMLElement>("[aria-current=page]") ?? focusable()[0])?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        setOpen(false);
        button.current?.focus();
        return;
      }
      if (e.key !== "Tab") return;
      const items = focusable();
      if (!items.length) return;
      const first = items[0]!;
      const last = items[items.length - 1]!;
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    // The page behind does not scroll while the panel covers it.
    const overflow = document.body.style.overflow;
    document.body.style.overflow = "hidden";
    return () => {
      document.removeEventListener("keydown", onKey);
      document.body.style.overflow = overflow;
    };
  }, [open]);

  return (
    <div className="md:hidden">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={PANEL_ID}
        onClick={() => setOpen(true)}
        className="flex h-9 items-center gap-2 rounded-md border border-slate-300 px-2.5 text-sm font-medium text-slate-800 hover:bg-slate-100"
      >
        <svg aria-hidden viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor">
          <rect x="2" y="4" width="16" height="2" rx="1" />
          <rect x="2" y="9" width="16" height="2" rx="1" />
          <rect x="2" y="14" width="16" height="2" rx="1" />
        </svg>
        Menu
      </button>
      {open ? (
        <div className="fixed inset-0 z-40">
          <div className="absolute inset-0 bg-slate-900/50" aria-hidden onClick={close} />
          <div
            ref={panel}
            id={PANEL_ID}
            role="dialog"
            aria-modal="true"
            aria-label="Navigation"
            className="theme-fixed absolute inset-y-0 left-0 flex w-72 max-w-[85vw] flex-col overflow-y-auto bg-slate-900 text-slate-200 shadow-xl"
          >
            <div className="flex items-center justify-between gap-2 px-5 py-4">
              <div className="min-w-0">
                <div className="text-lg font-semibold text-white">Opsdeck</div>
                <div className="truncate text-xs text-slate-400">{title}</div>
              </div>
              <button
                type="button"
                onClick={close}
                className="rounded-md px-2 py-1 text-sm text-slate-300 hover:bg-slate-800 hover:text-white"
              >
                Close
              </button>
            </div>
            <div className="px-2 pb-2">
              <button
                type="button"
                onClick={() => {
                  setOpen(false);
                  window.dispatchEvent(new Event(OPEN_PALETTE_EVENT));
                }}
                className="flex w-full items-center rounded-md border border-slate-700 px-3 py-2 text-left text-sm text-slate-200 hover:bg-slate-800"
              >
                Search
              </button>
            </div>
            {/* Following a link is what the panel was opened for. */}
            <NavLinks onNavigate={() => setOpen(false)} />
          </div>
        </div>
      ) : null}
    </div>
  );
}
