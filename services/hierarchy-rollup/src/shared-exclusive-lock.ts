/**
 * Many holders of the shared side at once (the partitions' report batches), or one holder of the exclusive side
 * (a hierarchy change's move); a waiting exclusive holder goes before shared holders that arrive after it.
 * `admits` closes the shared side from outside as well (the replica fence: another replica is moving, or this
 * replica's registration has lapsed); `recheck()` wakes the waiters when what it answers may have changed.
 */
export class SharedExclusiveLock {
  private shared_ = 0;
  private exclusive_ = false;
  private waitingExclusive = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly admits: () => boolean = () => true) {}

  async shared<T>(fn: () => Promise<T>): Promise<T> {
    while (this.exclusive_ || this.waitingExclusive > 0 || !this.admits()) await this.wait();
    this.shared_++;
    try {
      return await fn();
    } finally {
      this.shared_--;
      this.wake();
    }
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.waitingExclusive++;
    try {
      while (this.exclusive_ || this.shared_ > 0) await this.wait();
    } finally {
      this.waitingExclusive--;
    }
    this.exclusive_ = true;
    try {
      return await fn();
    } finally {
      this.exclusive_ = false;
      this.wake();
    }
  }

  /**
   * Resolves once no shared holder is inside (an exclusive holder may be: it runs no report batch). With `admits`
   * answering false beforehand, none enters after it either.
   */
  async drained(): Promise<void> {
    while (this.shared_ > 0) await this.wait();
  }

  /** wakes the waiters to look at `admits` again */
  recheck(): void {
    this.wake();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
