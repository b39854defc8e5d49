#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx loyalty-hub` and `npm start` need no build step.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// A .env in the working directory fills in what the environment does not already set.
if (existsSync('.env')) process.loadEnvFile('.env');
// The project's tsconfig wherever the hub is started from: it says how the console's JSX compiles.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../core/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
