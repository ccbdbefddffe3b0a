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
import io.statesync.core.Ticker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What one coordinator's recipes report for metrics and traces: from the listener-delivery engine,
 * how long each change waited in a listener's queue, listeners that threw, RESYNCED changes, and the
 * changes queued and not yet delivered; from the recipes, each blocking call ({@link #start
 * operation}) with its outcome and duration. One per {@code Coordinator} ({@code
 * coordinator.internalTelemetry()}); not API.
 *
 * <p>Costs nothing while no {@link Sink} is added: the engine then reads no clock, and an operation
 * is one shared object that does nothing. With a sink, the engine reads the ticker twice per change
 * and listener, and an operation twice per call.
 */
public final class Telemetry {
    /** Receives the engine's reports; called on the thread that delivers, so it must be cheap. */
    public interface Sink {
        /**
         * A change was handed to a listener.
         *
         * @param owner the recipe, e.g. {@code "SharedState /config"}
         * @param queuedNanos how long the change waited between being queued and the call starting
         */
        void delivered(String owner, long queuedNanos);

        /**
         * A listener threw (it stays registered).
         *
         * @param owner the recipe
         */
        void listenerFailed(String owner);

        /**
         * A recipe queued a RESYNCED change (once per change, not per listener).
         *
         * @param owner the recipe
         */
        void resynced(String owner);

        /**
         * A recipe's call started. Called on the caller's thread, before the call does anything;
         * the returned scope is told how it ended, on the thread that ends it (the caller's, or the
         * one that completes the call's future).
         *
         * @param owner the recipe, e.g. {@code "SharedState /config"}
         * @param operation the call, e.g. {@code "update"}, {@code "acquire"}, {@code "append"}
         * @param path the recipe's path
         * @return a scope to tell the outcome, or {@code null} if this sink does not follow calls
         */
        default @Nullable Scope started(String owner, String operation, String path) {
            return null;
        }
    }

    /** One blocking call as one sink follows it. */
    public interface Scope {
        /**
         * The call ended.
         *
         * @param outcome how, e.g. {@code "ok"}, {@code "conflict"}, {@code "timeout"}, or {@code
         *     "error"} when it threw
         * @param error what it threw, or {@code null}
         * @param nanos how long it took, on the coordinator's ticker
         */
        void ended(String outcome, @Nullable Throwable error, long nanos);
    }

    /**
     * A recipe's call in progress. The recipe sets the outcome (or the error) and closes it when the
     * call returns or throws, or, for a call that completes a future, when the future completes
     * (possibly on another thread, after the caller's last use of it); closed without an outcome, it
     * reports {@code "error"}. Not for concurrent use.
     */
    public static final class Operation implements AutoCloseable {
        private static final Operation NONE = new Operation(Ticker.system(), List.of());

        private final Ticker ticker;
        private final List<Scope> scopes;
        private final long startedAt;
        private String outcome = "error";
        private @Nullable Throwable error;
        private boolean ended;

        private Operation(Ticker ticker, List<Scope> scopes) {
            this.ticker = ticker;
            this.scopes = scopes;
            this.startedAt = scopes.isEmpty() ? 0 : ticker.read();
        }

        /**
         * Sets how the call ended (the last call wins).
         *
         * @param outcome e.g. {@code "ok"}, {@code "conflict"}, {@code "timeout"}
         */
        public void outcome(String outcome) {
            this.outcome = outcome;
        }

        /**
         * Records that the call throws: its outcome is {@code "error"} unless set after this.
         *
         * @param error what it throws
         */
        public void failed(Throwable error) {
            this.error = error;
            this.outcome = "error";
        }

        /** Reports the call's end to the sinks, once. */
        @Override
        public void close() {
            if (ended || scopes.isEmpty()) {
                return;
            }
            ended = true;
            long nanos = ticker.read() - startedAt;
            for (Scope s : scopes) {
                s.ended(outcome, error, nanos);
            }
        }
    }

    private final CopyOnWriteArrayList<Sink> sinks = new CopyOnWriteArrayList<>();
    private final Ticker ticker;
    // the live listener sets of the coordinator's recipes (weak: a recipe never closed is not kept)
    private final Set<ListenerSet<?>> sets = Collections.newSetFromMap(new WeakHashMap<>());

    /**
     * The telemetry of one coordinator.
     *
     * @param ticker the coordinator's ticker, which operations are timed on
     */
    public Telemetry(Ticker ticker) {
        this.ticker = ticker;
    }

    /**
     * Starts following one blocking call of a recipe: every sink that follows calls is told now,
     * and told the outcome when the returned operation closes.
     *
     * @param owner the recipe, e.g. {@code "SharedState /config"}
     * @param operation the call, e.g. {@code "update"}
     * @param path the recipe's path
     * @return the operation to set the outcome on and close; a shared do-nothing operation while no
     *     sink follows calls
     */
    public Operation start(String owner, String operation, String path) {
        if (sinks.isEmpty()) {
            return Operation.NONE;
        }
        List<Scope> scopes = new ArrayList<>(1);
        for (Sink s : sinks) {
            Scope scope = s.started(owner, operation, path);
            if (scope != null) {
                scopes.add(scope);
            }
        }
        return scopes.isEmpty() ? Operation.NONE : new Operation(ticker, scopes);
    }

    /** A recipe's blocking call, for {@link #observe}. */
    @FunctionalInterface
    public interface Call<T> {
        /**
         * Makes the call.
         *
         * @return its result
         * @throws InterruptedException if interrupted
         */
        T call() throws InterruptedException;
    }

    /**
     * Makes a recipe's blocking call, followed by the sinks: its outcome is {@code "ok"}, {@code
     * "empty"} for an empty {@code Optional}, {@code "timeout"} for an {@link
     * OperationTimeoutException}, {@code "interrupted"}, or {@code "error"} for anything else it
     * throws (the exception is reported with it and rethrown unchanged).
     *
     * @param owner the recipe, e.g. {@code "DistributedLock /jobs"}
     * @param operation the call, e.g. {@code "acquire"}
     * @param path the recipe's path
     * @param call the call
     * @param <T> its result
     * @return what the call returned
     * @throws InterruptedException if the call was interrupted
     */
    public <T> T observe(String owner, String operation, String path, Call<T> call) throws InterruptedException {
        Operation op = start(owner, operation, path);
        if (op == Operation.NONE) {
            return call.call();
        }
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

    /**
     * Starts a recipe's call that completes a future, followed by the sinks until the future
     * completes: {@code "ok"}, {@code "timeout"} for an {@link OperationTimeoutException}, {@code
     * "rejected"} for an exception whose class is named {@code CommandRejectedException} (a command
     * the state refused), else {@code "error"}.
     *
     * @param owner the recipe
     * @param operation the call, e.g. {@code "submit"}
     * @param path the recipe's path
     * @param call starts the call and returns its future
     * @param <T> the future's value
     * @return the future the call returned
     */
    public <T> CompletableFuture<T> observeAsync(
            String owner, String operation, String path, Supplier<CompletableFuture<T>> call) {
        Operation op = start(owner, operation, path);
        if (op == Operation.NONE) {
            return call.get();
        }
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
                if (cause instanceof OperationTimeoutException) {
                    op.outcome("timeout");
                } else if (cause.getClass().getSimpleName().equals("CommandRejectedException")) {
                    op.outcome("rejected");
                }
            }
            op.close();
        });
        return future;
    }

    /**
     * Adds a sink.
     *
     * @param sink the sink
     */
    public void addSink(Sink sink) {
        sinks.add(sink);
    }

    /**
     * Removes a sink.
     *
     * @param sink the sink, as added
     */
    public void removeSink(Sink sink) {
        sinks.remove(sink);
    }

    /**
     * Whether a sink listens: the engine measures only then.
     *
     * @return {@code true} if at least one sink is added
     */
    public boolean active() {
        return !sinks.isEmpty();
    }

    void delivered(String owner, long queuedNanos) {
        for (Sink s : sinks) {
            s.delivered(owner, queuedNanos);
        }
    }

    void listenerFailed(String owner) {
        for (Sink s : sinks) {
            s.listenerFailed(owner);
        }
    }

    void resynced(String owner) {
        for (Sink s : sinks) {
            s.resynced(owner);
        }
    }

    void register(ListenerSet<?> set) {
        synchronized (sets) {
            sets.add(set);
        }
    }

    void unregister(ListenerSet<?> set) {
        synchronized (sets) {
            sets.remove(set);
        }
    }

    /**
     * The changes queued and not yet delivered, per recipe, summed over its listeners, for the
     * recipes open now. Two recipes with the same owner name are summed together.
     *
     * @return owner to queued changes
     */
    public Map<String, Integer> backlogs() {
        List<ListenerSet<?>> open;
        synchronized (sets) {
            open = new ArrayList<>(sets);
        }
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (ListenerSet<?> s : open) {
            out.merge(s.owner(), s.backlog(), Integer::sum);
        }
        return out;
    }

    /**
     * The changes queued and not yet delivered for one recipe, summed over its listeners (and over
     * open recipes with the same owner name).
     *
     * @param owner the recipe, as in {@link #backlogs()}
     * @return the queued changes, 0 if no open recipe has that name
     */
    public int backlog(String owner) {
        List<ListenerSet<?>> named = new ArrayList<>();
        synchronized (sets) {
            for (ListenerSet<?> s : sets) {
                if (s.owner().equals(owner)) {
                    named.add(s);
                }
            }
        }
        int total = 0;
        for (ListenerSet<?> s : named) {
            total += s.backlog();
        }
        return total;
    }
}
