import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    ".next/**",
    "node_modules/**",
    "data/**",
    "demo/data/**",
    "test-results/**",
    "playwright-report/**",
    "next-env.d.ts",
  ]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "Read environment variables through env.ts.",
        },
      ],
    },
  },
  {
    files: [
      "env.ts",
      "e2e/**",
      "bench/**",
      "demo/**",
      "scripts/**",
      "test/**",
      "**/*.test.ts",
      "*.config.ts",
      "*.config.mjs",
    ],
    rules: { "no-restricted-properties": "off" },
  },
]);
