import { z } from "zod";
import { ROLES } from "@/lib/roles";
import { isListedTimeZone } from "@/lib/time-zone";

export const MAX_EMAIL = 254;
export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 256;

export const emailSchema = z
  .string({ error: "Email is required" })
  .trim()
  .min(1, "Email is required")
  .max(MAX_EMAIL, `Email must be at most ${MAX_EMAIL} characters`)
  .toLowerCase()
  .pipe(z.email("Enter a valid email address"));

export const passwordSchema = z
  .string({ error: "Password is required" })
  .min(MIN_PASSWORD, `Password must be at least ${MIN_PASSWORD} characters`)
  .max(MAX_PASSWORD, `Password must be at most ${MAX_PASSWORD} characters`);

export const nameSchema = z
  .string({ error: "Name is required" })
  .trim()
  .min(1, "Name is required")
  .max(100, "Name must be at most 100 characters")
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "Name must not contain control characters");

export const roleSchema = z.enum(ROLES, { error: "Role must be viewer, operator or admin" });

export const userIdSchema = z.coerce.number({ error: "User id is required" }).int().positive();

export const createUserInput = z.strictObject({
  email: emailSchema,
  name: nameSchema,
  role: roleSchema,
  password: passwordSchema,
});

export const changeRoleInput = z.strictObject({ userId: userIdSchema, role: roleSchema });
export const setDisabledInput = z.strictObject({ userId: userIdSchema, disabled: z.boolean() });
export const resetPasswordInput = z.strictObject({
  userId: userIdSchema,
  password: passwordSchema,
});

/** What the sign-in form sends; checked before any password work is done. */
export const signInInput = z.object(
  {
    email: emailSchema,
    password: z
      .string({ error: "Password is required" })
      .min(1, "Password is required")
      .max(MAX_PASSWORD, `Password must be at most ${MAX_PASSWORD} characters`),
  },
  { error: "Email and password are required" },
);

/** Your own zone; null = "my browser's". Only names this runtime knows are accepted. */
export const setTimeZoneInput = z.strictObject({
  timeZone: z
    .string({ error: "Time zone must be text" })
    .nullable()
    .refine(
      (v) => v === null || isListedTimeZone(v),
      "Pick a time zone from the list (e.g. Europe/Berlin)",
    ),
});
