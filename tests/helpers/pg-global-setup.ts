/**
 * vitest globalSetup of the `pg` project: one server for the run, and a migrated template
 * database that each test clones (CREATE DATABASE … TEMPLATE), so every test gets a fresh,
 * migrated database in milliseconds.
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openStore } from '../../core/storage/open-store.js';
import { startPg } from './pg-server.js';

export const TEMPLATE = 'loyalty_hub_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startPg({ inMemory: true });
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE} with (force)`);
  await admin.query(`create database ${TEMPLATE}`);
  await admin.end();
  const url = new URL(server.adminUrl);
  url.pathname = `/${TEMPLATE}`;
  const store = await openStore(url.toString());
  await store.close();
  project.provide('pgAdminUrl', server.adminUrl);
  return () => server.stop();
}
