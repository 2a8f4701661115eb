/** The `convo` command: parses argv, runs one command, turns expected failures into one line and a non-zero exit. */
import { parseArgs } from 'node:util';
import { isExpectedFailure } from '../shared/errors.ts';
import { loadConfig } from './config.ts';
import { dbMigrate, dbReset } from './db.ts';
import { functionsNew } from './functions.ts';
import { genTypes } from './gen-types.ts';
import { mailCommand } from './mail.ts';
import { migrationNew } from './migration.ts';
import { start } from './start.ts';
import { status } from './status.ts';
import { stop } from './stop.ts';

const USAGE = `Usage: convo <command> [options]

Commands:
  start                    start Postgres, migrations, worker and gateway (foreground)
  status [--json]          show URLs and keys of the running stack
  stop                     stop the running stack
  db migrate               apply pending migrations
  db reset [--no-seed]     drop the database, re-apply every migration, load sql/seed.sql
                           (asks first on a terminal; --yes skips the question)
  migration new <name>     create sql/migrations/NNNN_<name>.sql
  functions new <name>     create functions/<name>/index.ts (a Deno edge function)
  mail [--json] [--to addr]  list the newest mails of the local auth outbox
  gen types [--schema s] [--out file] [--db-url url] [--check]
                           write the supabase-js Database types (default types/database.ts)
                           of the exposed schemas; --check fails when the file is stale

Options:
  --workdir <dir>          project folder (default: current folder)
  -h, --help               show this help
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      'no-seed': { type: 'boolean', default: false },
      yes: { type: 'boolean', short: 'y', default: false },
      workdir: { type: 'string' },
      to: { type: 'string' },
      schema: { type: 'string', multiple: true },
      out: { type: 'string' },
      'db-url': { type: 'string' },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sub, arg] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig(process.env, values.workdir);
  switch (command) {
    case 'start': return start(config);
    case 'status': return status(config, { json: values.json });
    case 'stop': return stop(config);
    case 'db':
      if (sub === 'migrate') return dbMigrate(config);
      if (sub === 'reset') return dbReset(config, { seed: !values['no-seed'], yes: values.yes });
      break;
    case 'migration':
      if (sub === 'new') return migrationNew(config, arg);
      break;
    case 'functions':
      if (sub === 'new') return functionsNew(config, arg);
      break;
    case 'gen':
      if (sub === 'types') {
        return genTypes(config, {
          schemas: (values.schema ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean),
          out: values.out,
          dbUrl: values['db-url'],
          check: values.check,
        });
      }
      break;
    case 'mail':
      return mailCommand(config, { json: values.json, ...(values.to ? { to: values.to } : {}) });
  }
  process.stderr.write(`convo: unknown command "${positionals.join(' ')}"\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (isExpectedFailure(err)) {
      process.stderr.write(`convo: ${err.message}\n`);
      process.exit(1);
    }
    const e = err as Error & { code?: string };
    if (e.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`convo: ${e.message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(`convo: unexpected error\n${e.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
