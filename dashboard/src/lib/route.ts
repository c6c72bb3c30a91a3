// Hash routes (`#/funnel?team=kenesary&days=30&until=2026-11-20`): work on any static host without
// rewrite rules, and a link carries the whole view.
import { useEffect, useState } from "react";

export interface Route {
  page: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const [path, query = ""] = hash.replace(/^#\/?/, "").split("?");
  return { page: path || "funnel", params: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

/** Link to a page with the given parameters (empty values dropped). */
export function href(page: string, params: Record<string, string | number | null | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== null && value !== undefined && value !== "") query.set(key, String(value));
  const text = query.toString();
  return `#/${page}${text ? `?${text}` : ""}`;
}

export function navigate(page: string, params: Record<string, string | number | null | undefined> = {}) {
  window.location.hash = href(page, params);
}

/** The current page with some parameters changed (null removes one), the others kept. */
export function navigateWith(route: Route, change: Record<string, string | number | null | undefined>) {
  navigate(route.page, { ...Object.fromEntries(route.params), ...change });
}

/** One of the allowed values of a URL parameter, or the default. */
export function choice<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[], fallback: T): T {
  const value = params.get(name);
  return allowed.includes(value as T) ? (value as T) : fallback;
}
