/** Counts one function process's requests in flight, so a retiring process is stopped only once they are done (or a bound has passed). */
export class InFlight {
  #count = 0;
  #finished = 0;
  #waiting: Array<() => void> = [];

  get count(): number {
    return this.#count;
  }

  /** Requests finished so far: the CPU-limit watch reads progress from it. */
  get finished(): number {
    return this.#finished;
  }

  begin(): void {
    this.#count++;
  }

  end(): void {
    this.#finished++;
    if (--this.#count > 0) return;
    this.#count = 0;
    for (const wake of this.#waiting.splice(0)) wake();
  }

  /** Resolves true once nothing is in flight, or false when `boundMs` passes first. */
  idle(boundMs: number): Promise<boolean> {
    if (this.#count === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), boundMs);
      this.#waiting.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
