// The suite StrykerJS runs for each TypeScript mutant (npm run mutate): every test file that runs
// the domain code in-process. Tests that start Deno processes or the whole stack on fixed ports
// are left out: Stryker cannot see coverage through another process, and they would only be slow.
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.ts";

export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        "**/node_modules/**",
        "tests/**/*e2e*.test.ts",
        "tests/local-stack.test.ts",
        "tests/exit-code.test.ts",
        "tests/**/timer.test.ts",
        "tests/migrations.test.ts",
        "tests/database-types.test.ts",
        "tests/ingestion-outage.test.ts",
        "tests/function-processes.test.ts",
        "tests/local-secrets.test.ts",
      ],
    },
  }),
);
