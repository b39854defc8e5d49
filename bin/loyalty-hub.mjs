#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx loyalty-hub` and `npm start` need no build step.
import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

// A .env in the working directory fills in what the environment does not already set.
if (existsSync('.env')) process.loadEnvFile('.env');
register();
const { main } = await import('../core/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
