/**
 * `loyalty-hub connectors check`: every connector the hub would start with — coded ones
 * (`connectors/<name>/`) and recipes (docs/recipes.md) — with its status, and every problem of a
 * recipe as `file:line: reason`. Needs no database and prints no secret: a variable is reported
 * as set or missing, never by value.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { connectorStatus, type ConnectorDefinition } from '../connectors/definition.js';
import { discoverConnectors } from '../connectors/discover.js';
import { formatRecipeProblem, loadRecipes, recipeFolders } from '../connectors/recipe.js';
import type { Command } from './main.js';

function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

export const connectorsCheck: Command = {
  summary: 'List the connectors and check the recipes (file, line and reason for each problem)',
  usage: [
    'Usage: loyalty-hub connectors check [--dir <folder>]',
    '',
    '  --dir  your recipes (default: $LOYALTY_RECIPES); the shipped connectors/recipes/ are always checked',
    '',
    'Prints each connector (coded, or a recipe with its file) as enabled or disabled with the',
    'variables it still needs, then every problem of a recipe as file:line: reason — the problems',
    'that would stop `loyalty-hub serve` (docs/recipes.md).',
    'Exit status: 0 when every recipe is valid, 1 when any has a problem.',
  ].join('\n'),
  options: { dir: { type: 'string' } },
  async run(args) {
    const dir = args.string('dir');
    const env = dir ? { ...process.env, LOYALTY_RECIPES: resolve(dir) } : process.env;
    const coded = await discoverConnectors();
    const { recipes, problems } = loadRecipes(recipeFolders(env, { shipped: true }), coded.map((d) => d.name));
    const line = (def: ConnectorDefinition, kind: string) => {
      const status = connectorStatus(def, env);
      return `${def.name.padEnd(14)} ${kind.padEnd(44)} ${status.enabled ? 'enabled' : `disabled: set ${status.missing.join(', ')}`}`;
    };
    for (const def of coded) console.log(line(def, 'coded'));
    for (const { recipe, definition } of recipes) console.log(line(definition, `recipe ${shown(recipe.file)}`));
    if (problems.length > 0) {
      console.log('');
      for (const p of problems) console.log(formatRecipeProblem(p, shown));
      const files = new Set(problems.map((p) => p.file)).size;
      console.log(`\n${problems.length} problem${problems.length === 1 ? '' : 's'} in ${files} recipe file${files === 1 ? '' : 's'}: the hub will not start until they are fixed`);
      return 1;
    }
    console.log(`\n${coded.length} coded connector${coded.length === 1 ? '' : 's'}, ${recipes.length} recipe${recipes.length === 1 ? '' : 's'} OK`);
    return 0;
  },
};
