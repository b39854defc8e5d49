import { fileURLToPath } from 'node:url';

/** `migrations/` at the repository root, wherever the process was started from. */
export const migrationsFolder = fileURLToPath(new URL('../../migrations/', import.meta.url));
