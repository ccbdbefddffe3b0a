package io.statesync.recipes.lock;

import java.time.Duration;
import java.util.Optional;

/** {@link DistributedLock} on the shared queue engine. */
final class MutexImpl extends EngineFacade implements DistributedLock {

    MutexImpl(LockEngine engine) {
        super(engine);
    }

    @Override
    public LockHandle acquire(Duration timeout) throws InterruptedException {
        return engine.acquire(LockEngine.Kind.LOCK, timeout);
    }

    @Override
    public Optional<LockHandle> tryAcquire() throws InterruptedException {
        return engine.tryAcquire(LockEngine.Kind.LOCK);
    }
}
