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
