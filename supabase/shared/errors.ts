/** Expected platform failures (port in use, bad migration, unreachable database…): a code and one clear line, never a stack trace. */
export type FailureCode =
  | 'port_in_use'
  | 'already_running'
  | 'db_unreachable'
  | 'db_unsupported'
  | 'db_start_failed'
  | 'migration_failed'
  | 'migration_changed'
  | 'migration_invalid'
  | 'insecure_secret'
  | 'bad_config'
  | 'bad_usage';

export class ExpectedFailure extends Error {
  readonly code: FailureCode;
  constructor(code: FailureCode, message: string) {
    super(message);
    this.name = 'ExpectedFailure';
    this.code = code;
  }
}

export function isExpectedFailure(err: unknown): err is ExpectedFailure {
  return err instanceof ExpectedFailure;
}
