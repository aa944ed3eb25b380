import { StorageError } from '../contract/errors.js';
import type { BackendType, StorageBackend } from '../contract/storage-backend.js';
import type { Logger } from '../logging/logger.js';
import type { BackendRouter, CallSpec } from './backend-router.js';
import type { OperationEvent, OperationObserver } from './manager-types.js';

/**
 * Every call of the manager goes through here: routed to the serving store, timed, and reported to the
 * observers (metrics, tracing) with its outcome. A failure that is not a StorageError becomes one, so
 * callers only ever see stable codes.
 */
export class TimedCalls {
  private readonly observers = new Set<OperationObserver>();

  constructor(
    private readonly router: BackendRouter,
    private readonly logger: Logger,
  ) {}

  addObserver(observer: OperationObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  async run<T>(
    operation: string,
    spec: CallSpec<T>,
    call: (backend: StorageBackend) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    try {
      const served = await this.router.execute(spec, call);
      this.notify({ operation, backend: served.backend, durationMs: performance.now() - started });
      return served.value;
    } catch (error) {
      const storageError =
        error instanceof StorageError
          ? error
          : new StorageError('BACKEND_UNAVAILABLE', `${operation} failed unexpectedly`, { cause: error });
      this.notify({
        operation,
        backend: this.serving(),
        durationMs: performance.now() - started,
        error: storageError,
      });
      throw storageError;
    }
  }

  private serving(): BackendType {
    return this.router.serving().backendType;
  }

  private notify(event: OperationEvent): void {
    for (const observer of this.observers) {
      try {
        observer.onOperation(event);
      } catch (error) {
        this.logger.warn({ err: error }, 'operation observer failed');
      }
    }
  }
}
