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
package io.statesync.testkit;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/** Faults injected for real: on the server side, and in a client's own threads. */
public final class Faults {
    private Faults() {}

    /**
     * Expires a client's session on the server: opens a second handle on the same session id and
     * password, then closes it, which ends the session on the server exactly as an expiry does. The
     * client learns of it as a real client would — its ephemeral nodes are deleted and it gets
     * SESSION_EXPIRED when it next talks to the server.
     *
     * @param client the client handle whose session to expire (e.g. {@code
     *     curator.getZookeeperClient().getZooKeeper()})
     * @param connectString the servers to connect the second handle to (not through a proxy that
     *     may be cutting traffic)
     * @param timeout how long the second handle may take to connect
     * @throws Exception if the second handle cannot connect in time
     */
    public static void expireSession(ZooKeeper client, String connectString, Duration timeout) throws Exception {
        long sessionId = client.getSessionId();
        if (sessionId == 0) {
            throw new IllegalStateException("the client has no session to expire yet");
        }
        CountDownLatch connected = new CountDownLatch(1);
        Watcher watcher = event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        };
        ZooKeeper twin = new ZooKeeper(
                connectString, Math.toIntExact(timeout.toMillis()), watcher, sessionId, client.getSessionPasswd());
        try {
            if (!connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("could not attach to session 0x" + Long.toHexString(sessionId) + " at "
                        + connectString + " within " + timeout);
            }
        } finally {
            twin.close();
        }
    }

    /**
     * Blocks a client's event thread, as application code that blocks in a watcher does: sets a
     * watch on {@code path} (absolute, not namespaced), creates {@code path} as an ephemeral znode,
     * and holds the thread in the watch's callback until the returned block is closed. While it is
     * held, the client delivers no event at all: no watch event and no connection state change
     * (Curator's SUSPENDED and LOST come through that thread too).
     *
     * @param client the client handle whose event thread to block
     * @param path an unused absolute path
     * @param timeout how long to wait for the thread to enter the callback; also the longest it is
     *     held if the block is never closed
     * @return what releases the thread
     * @throws Exception if the znode cannot be created, or the thread is not held within the timeout
     */
    public static EventThreadBlock blockEventThread(ZooKeeper client, String path, Duration timeout) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        long holdAtMostMillis = Math.max(timeout.toMillis(), TimeUnit.MINUTES.toMillis(2));
        Watcher blocker = event -> {
            entered.countDown();
            try {
                if (!release.await(holdAtMostMillis, TimeUnit.MILLISECONDS)) {
                    return; // never closed: let the client go on at last
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        client.exists(path, blocker);
        client.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        if (!entered.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            release.countDown();
            throw new IllegalStateException(
                    "the event thread did not enter the watch on " + path + " within " + timeout);
        }
        return release::countDown;
    }

    /** A client's blocked event thread; {@link #close()} lets it go on. */
    @FunctionalInterface
    public interface EventThreadBlock extends AutoCloseable {
        @Override
        void close();
    }
}
