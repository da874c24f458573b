import { z } from "zod";

export const idParams = z.strictObject({
  id: z.coerce
    .number({ error: "expected a numeric id" })
    .int("expected a numeric id")
    .positive("expected a numeric id"),
});
