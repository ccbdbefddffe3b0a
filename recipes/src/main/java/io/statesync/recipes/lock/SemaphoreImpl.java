package io.statesync.recipes.lock;

import java.time.Duration;
import java.util.Optional;

/** {@link DistributedSemaphore} on the shared queue engine. */
final class SemaphoreImpl extends EngineFacade implements DistributedSemaphore {
    private final int maxLeases;

    SemaphoreImpl(LockEngine engine, int maxLeases) {
        super(engine);
        this.maxLeases = maxLeases;
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
}
