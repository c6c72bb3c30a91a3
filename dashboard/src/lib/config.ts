// Where the dashboard finds its Supabase project: index.html's config tag (the local gateway fills it
// in; a static host may edit it), else the build's VITE_SUPABASE_URL / VITE_SUPABASE_ANON_KEY. An empty
// URL means the page's own origin (the local stack serves the dashboard and the API together).
export interface DashboardConfig {
  supabaseUrl: string;
  supabaseAnonKey: string;
}

export function readConfig(): DashboardConfig {
  let tag: Partial<DashboardConfig> = {};
  try {
    tag = JSON.parse(document.getElementById("voronka-config")?.textContent || "{}");
  } catch {
    tag = {};
  }
  return {
    supabaseUrl: tag.supabaseUrl || import.meta.env.VITE_SUPABASE_URL || window.location.origin,
    supabaseAnonKey: tag.supabaseAnonKey || import.meta.env.VITE_SUPABASE_ANON_KEY || "",
  };
}
