// A connection made on first use and shared: the state machine under the
// producer sink, kept apart so it is tested without a broker.

/** A connection opened by the first {@link LazyConnection.open} and shared by every later one. */
export interface LazyConnection<T> {
  /**
   * The connection, connecting on the first call; calls made while it
   * connects wait for the same connect. A failed connect rejects the calls
   * that waited for it, and the next call connects afresh. After `close`,
   * rejects with an `Error` that names `what`.
   */
  open(): Promise<T>;
  /**
   * Closes once, whatever the state: nothing to do before a connect, waits
   * for a connect under way and disconnects what it opened. Every call gets
   * the same promise, which rejects if the disconnect failed.
   */
  close(): Promise<void>;
}

/** Options for {@link lazyConnection}. */
export interface LazyConnectionOptions<T> {
  /** Names the connection in the error of an `open` after `close`, such as "the producer". */
  what: string;
  connect: () => Promise<T>;
  disconnect: (connection: T) => Promise<void>;
}

export function lazyConnection<T>(options: LazyConnectionOptions<T>): LazyConnection<T> {
  const { what, connect, disconnect } = options;
  let connection: Promise<T> | undefined;
  let closing: Promise<void> | undefined;
  return {
    open() {
      if (closing) return Promise.reject(new Error(`${what} is disconnected`));
      if (!connection) {
        const attempt = Promise.resolve().then(connect);
        connection = attempt;
        attempt.catch(() => {
          if (connection === attempt) connection = undefined;
        });
      }
      return connection;
    },
    close() {
      closing ??= (async () => {
        const opened = connection;
        connection = undefined;
        const done = await opened?.then((c) => ({ c }), () => undefined);
        if (done) await disconnect(done.c);
      })();
      return closing;
    },
  };
}
