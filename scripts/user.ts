// npm run user -- create --email a@b.c --name "A" --role admin --password '…' [--if-missing]
// npm run user -- reset-password --email a@b.c --password '…'
// Manages users from the shell (for a first setup, or an admin locked out); every change is audited as "cli".
import { parseArgs } from "node:util";
import { eq, sql } from "drizzle-orm";
import { env } from "../env";
import { createUserInput, emailSchema, passwordSchema } from "../lib/schemas/user";
import { writeAudit } from "../server/audit/write";
import { hashPassword } from "../server/auth/password";
import { DataDirError, openDatabase } from "../server/db";
import { users } from "../server/db/schema";

const CLI = { id: null, name: "cli", role: null };
const NO_REQUEST = { ip: null, userAgent: null, requestId: null };

function fail(message: string): never {
  console.error(message);
  process.exit(1);
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

  let db;
  try {
    db = openDatabase(env.OPSDECK_DATA_DIR);
  } catch (err) {
    fail(err instanceof DataDirError ? err.message : String(err));
  }

  if (command === "create") {
    const parsed = createUserInput.safeParse({
      email: values.email,
      name: values.name ?? values.email,
      role: values.role,
      password: values.password,
    });
    if (!parsed.success)
      fail(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"));
    const input = parsed.data;
    const exists = db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.email, input.email))
      .get();
    if (exists) {
      if (values["if-missing"]) process.exit(0);
      fail(`A user with the email ${input.email} already exists.`);
    }
    const passwordHash = await hashPassword(input.password);
    db.transaction(
      (tx) => {
        const user = tx
          .insert(users)
          .values({ email: input.email, name: input.name, role: input.role, passwordHash })
          .returning()
          .get();
        writeAudit(tx, CLI, NO_REQUEST, {
          action: "users.create",
          targetType: "user",
          targetId: user.id,
          details: { email: input.email, name: input.name, role: input.role },
        });
      },
      { behavior: "immediate" },
    );
    console.log(`Created ${input.role} ${input.email}.`);
  } else if (command === "reset-password") {
    const email = emailSchema.safeParse(values.email);
    const password = passwordSchema.safeParse(values.password);
    if (!email.success || !password.success)
      fail("Give --email and a --password of at least 12 characters.");
    const passwordHash = await hashPassword(password.data);
    const changed = db.transaction(
      (tx) => {
        const user = tx
          .update(users)
          .set({ passwordHash, disabled: false, sessionVersion: sql`${users.sessionVersion} + 1` })
          .where(eq(users.email, email.data))
          .returning()
          .get();
        if (user)
          writeAudit(tx, CLI, NO_REQUEST, {
            action: "users.reset_password",
            targetType: "user",
            targetId: user.id,
          });
        return user;
      },
      { behavior: "immediate" },
    );
    if (!changed) fail(`No user with the email ${email.data}.`);
    console.log(`Password reset (and account enabled) for ${email.data}.`);
  } else {
    fail(
      "Usage: npm run user -- create|reset-password --email … [--name …] [--role viewer|operator|admin] --password …",
    );
  }
}

void main();
