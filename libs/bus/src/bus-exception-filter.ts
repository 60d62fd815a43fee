import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Hands every handler error to the transport unchanged. Without it Nest replaces any error that is not
 * an `RpcException` with `{ status: 'error', message: 'Internal server error' }`, and dead letters and
 * command rejections lose the error's code, message and `retryable` flag.
 *
 * Register it on the microservice: `app.useGlobalFilters(new BusExceptionFilter())`.
 */
@Catch()
export class BusExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
