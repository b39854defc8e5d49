/**
 * A command's arguments, checked against the options it declares before it runs (docs/operating.md,
 * "The CLI"): an option it does not know, a value missing or given to a flag, or one argument too
 * many is refused with exit code 2 and nothing done. Otherwise a typo passed silently — `import
 * members.csv --dryrun` imported for real.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestName } from '../closest-name.js';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArguments {
  positionals: string[];
  /** A string option's value (or its declared default); undefined when not given. */
  string(name: string): string | undefined;
  /** Whether a boolean option was given (or defaults to true). */
  flag(name: string): boolean;
}

function closest(name: string, options: OptionsConfig): string | undefined {
  const near = closestName(name, Object.keys(options));
  return near && `--${near}`;
}

/**
 * Parses `args` against `options` and at most `maxPositionals` plain arguments; answers the
 * refusal's text instead when they do not fit.
 */
export function parseArguments(args: string[], options: OptionsConfig, maxPositionals: number): ParsedArguments | { refusal: string } {
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (positionals.length === maxPositionals) {
        return { refusal: maxPositionals === 0 ? `unexpected argument "${token.value}": this command takes options only` : `unexpected argument "${token.value}"` };
      }
      positionals.push(token.value);
      continue;
    }
    const declared = options[token.name];
    if (!declared) {
      const suggestion = closest(token.name, options);
      return { refusal: `unknown option "${token.rawName}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}` };
    }
    if (declared.type === 'boolean') {
      if (token.value !== undefined) return { refusal: `option ${token.rawName} takes no value (given "${token.value}")` };
      values[token.name] = true;
      continue;
    }
    // `--out --format csv` would take "--format" as the file name: an option where a value belongs is a missing value.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-') && token.value.length > 1)) {
      return { refusal: `option ${token.rawName} needs a value` };
    }
    values[token.name] = token.value;
  }
  for (const [name, option] of Object.entries(options)) {
    if (values[name] === undefined && option.default !== undefined) values[name] = option.default as string | boolean;
  }
  return {
    positionals,
    string: (name) => (typeof values[name] === 'string' ? values[name] : undefined),
    flag: (name) => values[name] === true,
  };
}
