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
package io.statesync.recipes.queue;

import io.statesync.core.ConnectionLossException;
import io.statesync.core.LockLostException;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Telemetry;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.internal.RawOps;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.Op;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The implementation of {@link Claim}. The claim is the ephemeral znode {@code P/claims/{s}/{p}};
 * the item's data version, set to the delivery count when it was claimed, identifies this delivery,
 * so ack and nack are guarded by it.
 */
final class DefaultClaim<T> implements Claim<T> {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultClaim.class);

    private enum State {
        HELD,
        ACKED,
        RELEASED,
        LOST
    }

    private final DefaultWorkQueue<T> queue;
    private final QueueStore.Layout layout;
    private final long position;
    private final T value;
    private final int deliveries;
    private final byte[] itemData;
    private final long sessionId;
    private final String itemPath;
    private final String claimPath;
    private final AtomicReference<State> state = new AtomicReference<>(State.HELD);
    /** A ticker reading when claimed, or {@link Telemetry#UNTIMED}. */
    private final long claimedAt;

    DefaultClaim(
            DefaultWorkQueue<T> queue,
            QueueStore.Layout layout,
            long position,
            T value,
            int deliveries,
            byte[] itemData,
            long sessionId) {
        this.queue = queue;
        this.layout = layout;
        this.position = position;
        this.value = value;
        this.deliveries = deliveries;
        this.itemData = itemData;
        this.sessionId = sessionId;
        this.itemPath = queue.store.itemPath(layout, position);
        this.claimPath = queue.store.claimPath(layout, position);
        this.claimedAt = queue.probe.start();
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public T value() {
        return value;
    }

    @Override
    public int deliveryCount() {
        return deliveries;
    }

    @Override
    public boolean isHeld() {
        return state.get() == State.HELD;
    }

    long sessionId() {
        return sessionId;
    }

    void markLost() {
        if (state.compareAndSet(State.HELD, State.LOST)) {
            queue.probe.timeSince(Telemetry.Event.CLAIM_AGE, claimedAt);
            queue.forget(this);
        }
    }

    private LockLostException lost(String why, @Nullable Throwable cause) {
        markLost();
        return new LockLostException(
                itemPath,
                "the claim on the item at position " + position + " of work queue " + queue.path() + " is lost (" + why
                        + "); it is or will be delivered again",
                cause);
    }

    @Override
    public void ack() throws InterruptedException {
        ack(queue.operationTimeout);
    }

    @Override
    public void ack(Duration timeout) throws InterruptedException {
        Deadline deadline = queue.coordinator().internalAccess().deadline(Deadline.checkTimeout(timeout, "timeout"));
        State s = state.get();
        if (s == State.ACKED || s == State.RELEASED) {
            throw new IllegalStateException("the claim on position " + position + " was already " + s);
        }
        if (s == State.LOST) {
            throw lost("its session ended", null);
        }
        RawOps c = new RawOps(queue.coordinator());
        List<Op> ops;
        try {
            ops = List.of(
                    c.delete(deliveries, itemPath),
                    c.delete(-1, claimPath),
                    c.setData(-1, queue.store.removedPath, new byte[0]));
        } catch (Exception e) {
            throw ZkErrors.translate(e, itemPath);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException(
                    "ack of position " + position + " in " + queue.path() + " not sent: the thread was interrupted");
        }
        String what = "ack of position " + position + " in " + queue.path();
        while (true) {
            try {
                queue.store.multi(ops, deadline, what);
                finish(State.ACKED);
                return;
            } catch (StateSyncException e) {
                switch (e.reason()) {
                    case VERSION_CONFLICT -> throw lost("the item was delivered again", e);
                    case NO_NODE -> {
                        if (itemPath.equals(e.path()) && queue.coordinator().sessionId() == sessionId) {
                            // Our claim kept anyone else away, so the item can only be gone by this
                            // very ack, retried by Curator after its reply was lost.
                            LOG.info(
                                    "ack of position {} in {} had landed before its reply was lost",
                                    position,
                                    queue.path());
                            finish(State.ACKED);
                            return;
                        }
                        throw lost("its session ended", e);
                    }
                    case CONNECTION_LOSS, SESSION_EXPIRED -> {
                        queue.store.awaitConnection(
                                deadline,
                                new ConnectionLossException(
                                        itemPath,
                                        "ack of position " + position + " in " + queue.path() + " has an unknown"
                                                + " outcome: the connection did not come back within "
                                                + deadline.timeout() + "; if the ack did not land, the item is"
                                                + " delivered again once the claim's session ends",
                                        e),
                                what,
                                OperationTimeoutException.Outcome.UNKNOWN);
                        if (queue.coordinator().sessionId() != sessionId) {
                            if (queue.store
                                    .read(itemPath, deadline, what, OperationTimeoutException.Outcome.UNKNOWN)
                                    .isEmpty()) {
                                markLost();
                                throw new ConnectionLossException(
                                        itemPath,
                                        "ack of position " + position + " has an unknown outcome: the session ended"
                                                + " while it was in flight and the item is gone",
                                        e);
                            }
                            throw lost("its session ended", e);
                        }
                        // Same session: the claim protects the item; retry (NO_NODE then means landed).
                    }
                    default -> throw e;
                }
            }
        }
    }

    @Override
    public void nack() throws InterruptedException {
        nack(queue.operationTimeout);
    }

    @Override
    public void nack(Duration timeout) throws InterruptedException {
        Deadline deadline = queue.coordinator().internalAccess().deadline(Deadline.checkTimeout(timeout, "timeout"));
        State s = state.get();
        if (s == State.ACKED) {
            throw new IllegalStateException("the claim on position " + position + " was already acknowledged");
        }
        if (s != State.HELD) {
            return;
        }
        if (deliveries >= queue.maxDeliveries) {
            try {
                queue.deadLetters.move(
                        layout,
                        position,
                        itemData,
                        deliveries,
                        DeadLetter.Cause.DELIVERIES_EXHAUSTED,
                        "delivered " + deliveries + " times without an acknowledgement (last one given back)",
                        this,
                        deadline);
            } catch (StateSyncException e) {
                if (e.reason() != StateSyncException.Reason.CONNECTION_LOSS
                        && e.reason() != StateSyncException.Reason.SESSION_EXPIRED) {
                    throw e;
                }
                if (lostWithSession()) {
                    return; // the claim went with its session: the item is handed out again
                }
                throw unknownRelease(e, deadline);
            }
            finish(State.RELEASED);
            return;
        }
        release(deadline);
    }

    /** Whether the claim is gone with its session (marked lost, or the coordinator has a new session). */
    private boolean lostWithSession() {
        if (state.get() == State.LOST) {
            return true;
        }
        long now = queue.coordinator().sessionId();
        if (now != 0 && now != sessionId) {
            markLost();
            return true;
        }
        return false;
    }

    private ConnectionLossException unknownRelease(@Nullable Throwable cause, Deadline deadline) {
        return new ConnectionLossException(
                itemPath,
                "could not give back the claim on position " + position + " of work queue " + queue.path()
                        + ": the connection did not come back within " + deadline.timeout()
                        + " and the claim's session may still live; the item comes back when that session ends at"
                        + " the latest",
                cause);
    }

    /**
     * Deletes the claim, guarded by the item's delivery version. A claim lost with its session
     * (found gone, or the session expired or replaced while this runs) is left as it is: the server
     * already released it. Never sends while disconnected: it waits for the connection, or for the
     * claim to be reported lost, up to the operation timeout.
     */
    private void release(Deadline deadline) throws InterruptedException {
        RawOps c = new RawOps(queue.coordinator());
        List<Op> ops;
        try {
            ops = List.of(c.check(deliveries, itemPath), c.delete(-1, claimPath));
        } catch (Exception e) {
            throw ZkErrors.translate(e, itemPath);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("release of position " + position + " in " + queue.path()
                    + " not sent: the thread was interrupted");
        }
        String what = "release of the claim on position " + position + " in " + queue.path();
        StateSyncException last = null;
        while (true) {
            if (state.get() != State.HELD || lostWithSession()) {
                return;
            }
            if (!queue.coordinator().isConnected()) {
                if (deadline.passed()) {
                    throw unknownRelease(last, deadline);
                }
                try {
                    queue.coordinator()
                            .awaitConnected(Duration.ofMillis(Math.min(
                                    200, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline.remainingNanos())))));
                } catch (OperationTimeoutException notYet) {
                    // look again whether the claim was reported lost meanwhile
                }
                continue;
            }
            try {
                queue.store.multi(ops, deadline, what);
                finish(State.RELEASED);
                return;
            } catch (StateSyncException e) {
                switch (e.reason()) {
                    case VERSION_CONFLICT, NO_NODE, SESSION_EXPIRED -> {
                        markLost();
                        return;
                    }
                    case CONNECTION_LOSS -> {
                        last = e;
                        if (deadline.passed() && !lostWithSession()) {
                            throw unknownRelease(e, deadline);
                        }
                    }
                    default -> throw e;
                }
            }
        }
    }

    /**
     * Gives the claim back without waiting (the queue's close): the release goes out in the
     * background, and {@code then} runs when its reply arrives (or at once if there is nothing to
     * release). If it never lands, the session's end releases the claim.
     */
    void releaseInBackground(Runnable then) {
        if (!state.compareAndSet(State.HELD, State.RELEASED)) {
            then.run();
            return;
        }
        queue.forget(this);
        RawOps c = new RawOps(queue.coordinator());
        try {
            CompletableFuture<?> unused = c.send(
                            List.of(c.check(deliveries, itemPath), c.delete(-1, claimPath)), claimPath)
                    .whenComplete((error, failure) -> then.run());
        } catch (RuntimeException e) {
            LOG.debug("work queue {}: releasing the claim on position {} failed", queue.path(), position, e);
            then.run();
        }
    }

    private void finish(State to) {
        if (state.compareAndSet(State.HELD, to)) {
            queue.probe.timeSince(Telemetry.Event.CLAIM_AGE, claimedAt);
            queue.forget(this);
        } else if (state.compareAndSet(State.LOST, to)) {
            queue.forget(this);
        }
        if (to == State.RELEASED) {
            // The item is available again ahead of what this instance listed after it.
            queue.clearCache();
        }
    }

    @Override
    public void close() {
        if (state.get() != State.HELD) {
            return;
        }
        try {
            nack();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn(
                    "work queue {}: could not release the claim on position {}; the item comes back when the session"
                            + " ends",
                    queue.path(),
                    position,
                    e);
        }
    }

    @Override
    public String toString() {
        return "Claim{" + queue.path() + " position=" + position + ", deliveries=" + deliveries + ", " + state.get()
                + '}';
    }
}
