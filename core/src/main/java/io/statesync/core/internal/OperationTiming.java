/*
 * Copyright 2026 The statesync developers
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package io.statesync.core.internal;

import io.statesync.core.OperationTimeoutException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * How a recipe's call is followed to its end through a {@link Telemetry.Operation}: the outcome a
 * blocking call's result or exception stands for, and the outcome of a call's future when it
 * completes. Stateless.
 */
final class OperationTiming {
    private OperationTiming() {}

    /** Makes the call, setting {@code op}'s outcome from how it ends, and closes {@code op}. */
    static <T> T observe(Telemetry.Operation op, Telemetry.Call<T> call) throws InterruptedException {
        // Not try-with-resources: its resource closes before a catch clause runs, and the
        // outcome must be set first.
        try {
            T result = call.call();
            op.outcome(result instanceof Optional<?> o && o.isEmpty() ? "empty" : "ok");
            return result;
        } catch (OperationTimeoutException e) {
            op.failed(e);
            op.outcome("timeout");
            throw e;
        } catch (InterruptedException e) {
            op.failed(e);
            op.outcome("interrupted");
            throw e;
        } catch (RuntimeException | Error e) {
            op.failed(e);
            throw e;
        } finally {
            op.close();
        }
    }

    /** Starts the call; closes {@code op} with the outcome of its future once that completes. */
    static <T> CompletableFuture<T> observeAsync(
            Telemetry.Operation op, Supplier<CompletableFuture<T>> call, Telemetry.Outcomes outcomes) {
        CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException | Error e) {
            op.failed(e);
            op.close();
            throw e;
        }
        var unused = future.whenComplete((value, thrown) -> {
            if (thrown == null) {
                op.outcome("ok");
            } else {
                Throwable cause =
                        thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
                op.failed(cause);
                String named = outcomes.of(cause);
                if (named != null) {
                    op.outcome(named);
                } else if (cause instanceof OperationTimeoutException) {
                    op.outcome("timeout");
                }
            }
            op.close();
        });
        return future;
    }
}
