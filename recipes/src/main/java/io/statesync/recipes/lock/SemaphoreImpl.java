package io.statesync.recipes.lock;

import io.statesync.core.LifecycleState;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;

/** {@link DistributedSemaphore} on the shared queue engine. */
final class SemaphoreImpl implements DistributedSemaphore {
    private final LockEngine engine;
    private final int maxLeases;

    SemaphoreImpl(LockEngine engine, int maxLeases) {
        this.engine = engine;
        this.maxLeases = maxLeases;
    }

    @Override
    public void start() {
        engine.start();
    }

    @Override
    public LifecycleState state() {
        return engine.state();
    }

    @Override
    public LockHandle acquire(Duration timeout) throws InterruptedException {
        return engine.acquire(LockEngine.Kind.LEASE, timeout);
    }

    @Override
    public Optional<LockHandle> tryAcquire() throws InterruptedException {
        return engine.tryAcquire(LockEngine.Kind.LEASE);
    }

    @Override
    public int maxLeases() {
        return maxLeases;
    }

    @Override
    public String path() {
        return engine.path();
    }

    @Override
    public void addLockLostListener(LockLostListener listener) {
        engine.addListener(listener);
    }

    @Override
    public void addLockLostListener(LockLostListener listener, Executor executor) {
        engine.addListener(listener, executor);
    }

    @Override
    public boolean removeLockLostListener(LockLostListener listener) {
        return engine.removeListener(listener);
    }

    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return engine + " (" + engine.state() + ", " + maxLeases + " leases)";
    }
}
