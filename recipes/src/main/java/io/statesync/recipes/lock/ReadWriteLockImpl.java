package io.statesync.recipes.lock;

import java.time.Duration;
import java.util.Optional;

/** {@link DistributedReadWriteLock} on the shared queue engine. */
final class ReadWriteLockImpl extends EngineFacade implements DistributedReadWriteLock {

    ReadWriteLockImpl(LockEngine engine) {
        super(engine);
    }

    @Override
    public LockHandle acquireRead(Duration timeout) throws InterruptedException {
        return engine.acquire(LockEngine.Kind.READ, timeout);
    }

    @Override
    public Optional<LockHandle> tryAcquireRead() throws InterruptedException {
        return engine.tryAcquire(LockEngine.Kind.READ);
    }

    @Override
    public LockHandle acquireWrite(Duration timeout) throws InterruptedException {
        return engine.acquire(LockEngine.Kind.WRITE, timeout);
    }

    @Override
    public Optional<LockHandle> tryAcquireWrite() throws InterruptedException {
        return engine.tryAcquire(LockEngine.Kind.WRITE);
    }
}
