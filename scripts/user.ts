// npm run user -- create --email a@b.c --name "A" --role admin --password '…' [--if-missing]
// npm run user -- reset-password --email a@b.c --password '…'
// Manages users from the shell (for a first setup, or an admin locked out) through the
// same services as the admin page, acting as "cli"; every change is audited.
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { env } from "../env";
import { emailSchema } from "../lib/schemas/user";
import { DataDirError, openDatabase, type Db } from "../server/db";
import { users } from "../server/db/schema";
import { ServiceError, type ServiceCall } from "../server/services/service";
import { createUser } from "../server/services/users/create-user";
import { resetUserPassword } from "../server/services/users/reset-user-password";
import { setUserDisabled } from "../server/services/users/set-user-disabled";

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** A service's refusal as the CLI prints it: the message, then each issue. */
function refusal(err: unknown): never {
  if (!(err instanceof ServiceError)) throw err;
  const issues = (err.issues ?? []).filter((i) => i.message !== err.message);
  fail([err.message, ...issues.map((i) => `${i.path}: ${i.message}`)].join("\n"));
}

function userByEmail(db: Db, raw: string | undefined) {
  const email = emailSchema.safeParse(raw);
  if (!email.success) fail(email.error.issues[0]?.message ?? "Give --email.");
  const user = db.select().from(users).where(eq(users.email, email.data)).get();
  return { email: email.data, user };
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: "string" },
      name: { type: "string" },
      role: { type: "string", default: "viewer" },
      password: { type: "string" },
      "if-missing": { type: "boolean", default: false },
    },
  });

  let db: Db;
  try {
    db = openDatabase(env.OPSDECK_DATA_DIR);
  } catch (err) {
    fail(err instanceof DataDirError ? err.message : String(err));
  }
  const call: ServiceCall = { actor: { kind: "cli" }, db };

  if (command === "create") {
    if (values["if-missing"] && userByEmail(db, values.email).user) process.exit(0);
    const input = {
      email: values.email,
      name: values.name ?? values.email,
      role: values.role,
      password: values.password,
    };
    await createUser(call, input as Parameters<typeof createUser>[1]).catch(refusal);
    const { email } = userByEmail(db, values.email);
    console.log(`Created ${values.role} ${email}.`);
  } else if (command === "reset-password") {
    const { email, user } = userByEmail(db, values.email);
    if (!user) fail(`No user with the email ${email}.`);
    await resetUserPassword(call, { userId: user.id, password: values.password as string }).catch(
      refusal,
    );
    // For a locked-out admin: the account is usable again.
    if (user.disabled)
      await setUserDisabled(call, { userId: user.id, disabled: false }).catch(refusal);
    console.log(`Password reset (and account enabled) for ${email}; its sessions have ended.`);
  } else {
    fail(
      "Usage: npm run user -- create|reset-password --email … [--name …] [--role viewer|operator|admin] --password …",
    );
  }
}

void main();
