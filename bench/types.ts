/** A benchmark row, as printed and as written by `--json`. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The same measurement for the baseline, taken in the same run. */
  baseline: number | null;
  /** value / baseline, so lower is better for times and higher for rates (see `better`). */
  ratio: number | null;
  /** Human-readable target, e.g. "< 5000 ms" or ">= 0.8x baseline". */
  target: string;
  met: boolean | null;
  note?: string;
}

export interface BenchSuite {
  /** Rows this suite produces; `--only` matches against these names. */
  names: string[];
  run(only: (name: string) => boolean): Promise<BenchRow[]>;
}
