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
package io.statesync.demo;

import io.statesync.core.Coordinator;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * Ends a node's ZooKeeper session on the server, as the server does when a node crashes or freezes
 * longer than its session timeout: a second handle attaches to the same session id and password and
 * is closed, which ends the session. The node's ephemeral znodes (its lock, leadership, membership)
 * go at once; the node itself hears of it only on its next exchange with the server (a heartbeat,
 * within about a third of the session timeout).
 *
 * <p>The same technique as the test kit's {@code Faults.expireSession}, kept here so the runnable
 * demo does not ship the test kit and JUnit.
 */
final class SessionExpiry {
    private SessionExpiry() {}

    static void expire(Coordinator node, String connectString, Duration timeout) throws Exception {
        ZooKeeper client = node.curatorFramework().getZookeeperClient().getZooKeeper();
        long sessionId = client.getSessionId();
        if (sessionId == 0) {
            throw new IllegalStateException("the node has no session to expire");
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
                throw new IllegalStateException(
                        "could not attach to session 0x" + Long.toHexString(sessionId) + " within " + timeout);
            }
        } finally {
            twin.close();
        }
    }
}
