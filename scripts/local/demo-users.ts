// Demo logins of the local stack: an admin and one member per demo team, stored in auth.users as
// hosted Supabase stores users (bcrypt hash, `raw_app_meta_data` = the JWT's app_metadata). Added
// on every local database (idempotent: an existing user keeps what was changed since).
import postgres from "postgres";

export const DEMO_PASSWORD = "voronka-demo";

export interface DemoUser {
  id: string;
  email: string;
  appMetadata: { role?: "admin"; teams?: string[] };
}

export const DEMO_USERS: DemoUser[] = [
  { id: "00000000-0000-4000-8000-000000000001", email: "admin@voronka.local", appMetadata: { role: "admin" } },
  { id: "00000000-0000-4000-8000-000000000002", email: "kenesary@voronka.local", appMetadata: { teams: ["kenesary"] } },
  { id: "00000000-0000-4000-8000-000000000003", email: "traf4@voronka.local", appMetadata: { teams: ["traf4"] } },
  { id: "00000000-0000-4000-8000-000000000004", email: "nurlan@voronka.local", appMetadata: { teams: ["nurlan"] } },
];

export async function addDemoUsers(dbUrl: string): Promise<void> {
  const sql = postgres(dbUrl, { onnotice: () => {}, max: 1 });
  try {
    for (const user of DEMO_USERS) {
      const appMetadata = { provider: "email", providers: ["email"], ...user.appMetadata };
      await sql`
        insert into auth.users (id, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
        values (${user.id}, ${user.email}, extensions.crypt(${DEMO_PASSWORD}, extensions.gen_salt('bf', 10)), now(),
                ${sql.json(appMetadata)}, '{}')
        on conflict (id) do nothing`;
    }
  } finally {
    await sql.end();
  }
}

/** What `npm start` prints: every demo login. */
export function demoLogins(): string {
  return DEMO_USERS.map((u) => {
    const who =
      u.appMetadata.role === "admin" ? "admin: every team, settings" : `member of ${u.appMetadata.teams?.join(", ")}`;
    return `  ${u.email.padEnd(24)} ${DEMO_PASSWORD}   (${who})`;
  }).join("\n");
}
