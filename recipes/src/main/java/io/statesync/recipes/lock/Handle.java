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
package io.statesync.recipes.lock;

import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.LifecycleState;
import io.statesync.core.internal.Telemetry;
import java.time.Duration;
import org.apache.zookeeper.Watcher;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A held lock, acquired lease or lock: its znode, its fencing token (the znode's czxid) and the
 * session that owns it. Released through its {@link LockEngine}, which also marks it lost.
 */
final class Handle implements LockHandle {
    private static final Logger LOG = LoggerFactory.getLogger(Handle.class);

    private final LockEngine engine;
    private final String holderPath;
    final String zkHolderPath;
    private final long token;
    final long session;
    /** Written under the engine's lock. */
    volatile boolean released;
    /** Written under the engine's lock. */
    volatile @Nullable String lostReason;

    volatile @Nullable Watcher watcher;

    /** A ticker reading when the lock was acquired, or {@link Telemetry#UNTIMED}. */
    private final long heldSince;

    Handle(LockEngine engine, String holderPath, String zkHolderPath, long token, long session) {
        this.engine = engine;
        this.heldSince = engine.probe.start();
        this.holderPath = holderPath;
        this.zkHolderPath = zkHolderPath;
        this.token = token;
        this.session = session;
    }

    /** Reports how long the lock was held (it was just released or lost); a lost one counts a loss. */
    void heldFor(Telemetry.Probe probe) {
        probe.timeSince(Telemetry.Event.LOCK_HOLD, heldSince);
        if (lostReason != null) {
            probe.count(Telemetry.Event.LOCK_LOST);
        }
    }

    @Override
    public long token() {
        return token;
    }

    @Override
    public boolean isValid() {
        return checkValid() == null;
    }

    /**
     * Why the handle is no longer valid, or {@code null}; a server silent past the loss policy's
     * limit is acted on here, on the caller's thread: every handle of the engine is marked lost, even
     * if the client has not reported the loss yet (this process was paused, or its event thread is
     * blocked). For {@link #isValid()} and guarded writes.
     */
    @Nullable
    String checkValid() {
        String known = knownInvalid();
        if (known != null) {
            return known;
        }
        String silent = engine.loseOnSilence();
        return silent == null ? null : "the lock was lost: " + silent;
    }

    /**
     * Why the handle is no longer valid, or {@code null}, without acting on anything: for {@link
     * #toString()} and the health report, which must not change what they describe.
     */
    @Nullable
    String invalidReason() {
        String known = knownInvalid();
        if (known != null) {
            return known;
        }
        String silent = engine.coordinator().internalAccess().silence().pastLimit();
        return silent == null ? null : "the lock was lost: " + silent;
    }

    private @Nullable String knownInvalid() {
        if (released) {
            return "the handle was released";
        }
        String lost = lostReason;
        if (lost != null) {
            return "the lock was lost: " + lost;
        }
        if (engine.coordinator().state() == LifecycleState.CLOSED) {
            return "the coordinator was closed (its session, and the lock with it, ended)";
        }
        return null;
    }

    @Override
    public String holderPath() {
        return holderPath;
    }

    @Override
    public String lockPath() {
        return engine.path();
    }

    @Override
    public void write(GuardedWrite write) throws InterruptedException {
        engine.write(this, write, engine.coordinator().operationTimeout());
    }

    @Override
    public void write(GuardedWrite write, Duration timeout) throws InterruptedException {
        engine.write(this, write, timeout);
    }

    @Override
    public void close() {
        engine.release(this);
    }

    void removeWatch(Coordinator coordinator) {
        Watcher w = watcher;
        if (w == null) {
            return;
        }
        watcher = null;
        try {
            Attempt.removeWatch(
                    coordinator.curatorFramework().getZookeeperClient().getZooKeeper(), zkHolderPath, w);
        } catch (Exception e) {
            LOG.debug("no ZooKeeper handle to remove the watch on {}", zkHolderPath, e);
        }
    }

    @Override
    public String toString() {
        String invalid = invalidReason();
        return "LockHandle{" + holderPath + ", token=" + token + (invalid == null ? "" : ", " + invalid) + '}';
    }
}
