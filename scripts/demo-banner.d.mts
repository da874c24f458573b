// Types for TypeScript callers of demo-banner.mjs (the project compiles without allowJs).

export const DEMO_USERS: { email: string; name: string; role: string; password: string }[];
export const DEMO_PORTS: { production: number; staging: number; inbox: number; smtp: number };
export const DEMO_VERSIONS: { production: string; staging: string; bad: string };
export function demoBanner(where: { url: string; logs: string; data: string }): string;
export function showOnTerminal(line: string, started: boolean): boolean;
