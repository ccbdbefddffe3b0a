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

import io.statesync.core.AclMode;
import io.statesync.core.ConnectionLossException;
import io.statesync.core.Coordinator;
import io.statesync.core.StateSyncException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;

/**
 * Helpers for recipes that talk to the raw ZooKeeper handle behind the coordinator. Such recipes use
 * the handle's asynchronous API so that replies, watch events and connection events reach them in
 * one order (ZooKeeper's event thread), which is what makes zxid bookkeeping sound.
 */
public final class RawZooKeeper {
    private RawZooKeeper() {}

    /**
     * The current ZooKeeper handle of the coordinator (a new one after session expiry).
     *
     * @param coordinator the connection
     * @return its ZooKeeper handle
     */
    public static ZooKeeper handle(Coordinator coordinator) {
        try {
            return coordinator.curatorFramework().getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            throw ZkErrors.translate(e, null);
        }
    }

    /**
     * The path as the server knows it: with the coordinator's namespace.
     *
     * @param coordinator the connection
     * @param path a path relative to the namespace
     * @return the absolute path
     */
    public static String fullPath(Coordinator coordinator, String path) {
        return ZKPaths.fixForNamespace(coordinator.curatorFramework().getNamespace(), path);
    }

    /**
     * The ACL for znodes a recipe creates, as the coordinator's ACL mode says.
     *
     * @param coordinator the connection
     * @return the ACL list
     */
    public static List<ACL> acl(Coordinator coordinator) {
        return coordinator.aclMode() == AclMode.CREATOR_ONLY
                ? ZooDefs.Ids.CREATOR_ALL_ACL
                : ZooDefs.Ids.OPEN_ACL_UNSAFE;
    }

    /**
     * Whether a result code leaves the outcome of a request unknown (the connection or session went).
     *
     * @param rc a ZooKeeper result code
     * @return {@code true} for connection loss, timeouts and session expiry
     */
    public static boolean isLoss(int rc) {
        return rc == KeeperException.Code.CONNECTIONLOSS.intValue()
                || rc == KeeperException.Code.OPERATIONTIMEOUT.intValue()
                || rc == KeeperException.Code.REQUESTTIMEOUT.intValue()
                || rc == KeeperException.Code.SESSIONEXPIRED.intValue()
                || rc == KeeperException.Code.SESSIONMOVED.intValue();
    }

    /**
     * The typed error for a result code.
     *
     * @param rc a ZooKeeper result code
     * @param path the path concerned
     * @return the typed error
     */
    public static StateSyncException error(int rc, String path) {
        return ZkErrors.translate(
                KeeperException.Code.get(rc), path, KeeperException.create(KeeperException.Code.get(rc), path));
    }

    /**
     * Sleeps before retry {@code n} (1, 2, ...) after a lost connection, by the coordinator's retry
     * policy, or fails if the policy's retries are used up. Uninterruptible: the caller is in the
     * middle of resolving a write and must not abandon it; the interrupt is kept for later.
     *
     * @param coordinator the connection, for its retry policy
     * @param path the path concerned, for the error
     * @param n the retry about to be made, from 1
     */
    public static void backoffAfterLoss(Coordinator coordinator, String path, int n) {
        if (n > coordinator.retry().maxRetries()) {
            throw new ConnectionLossException(
                    path, "connection to ZooKeeper lost and not back after " + (n - 1) + " retries", null);
        }
        long base = coordinator.retry().baseSleep().toNanos();
        long max = coordinator.retry().maxSleep().toNanos();
        long cap = Math.min(max, base << Math.min(n - 1, 20));
        sleepUninterruptibly(base / 2 + ThreadLocalRandom.current().nextLong(Math.max(1, cap - base / 2)));
    }

    /**
     * Sleeps before compare-and-set attempt {@code attempt + 1} after {@code attempt} conflicts in a
     * row: not at all for the first {@code freeAttempts - 1} (a fresh base is already at hand), then
     * a random time up to {@code unitNanos} doubling per conflict, capped at {@code maxNanos}.
     *
     * @param attempt conflicts so far, from 1
     * @param freeAttempts the first attempt that sleeps
     * @param unitNanos the cap of the first sleep
     * @param maxNanos the cap of every sleep
     */
    public static void backoffAfterConflict(int attempt, int freeAttempts, long unitNanos, long maxNanos) {
        if (attempt < freeAttempts) {
            return;
        }
        long cap = Math.min(maxNanos, unitNanos << Math.min(attempt - freeAttempts, 20));
        sleepUninterruptibly(ThreadLocalRandom.current().nextLong(Math.max(1, cap)));
    }

    /**
     * Sleeps, keeping an interrupt for the caller to see afterwards.
     *
     * @param nanos how long
     */
    public static void sleepUninterruptibly(long nanos) {
        long deadline = System.nanoTime() + nanos;
        boolean interrupted = false;
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.sleep(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
