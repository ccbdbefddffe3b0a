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
package io.statesync.recipes.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.internal.Nodes;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The request that sets a view's persistent watch is lost with the connection (the client keeps a
 * watch only on a successful reply, the server drops a closed connection's watches): it is sent
 * again when the same session reconnects, so changes after the reconnection are still seen.
 */
@Timeout(90)
class StateTreeLostWatchTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    /** Both clients: a 10 s session, a 1 s connection timeout. */
    private static final UnaryOperator<Coordinator.Builder> SETTINGS =
            b -> b.sessionTimeout(Duration.ofSeconds(10)).connectionTimeout(Duration.ofSeconds(1));

    private final TestNodes nodes = new TestNodes(zk);

    @AfterEach
    void closeAll() throws Exception {
        nodes.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aWatchRequestLostWithTheConnectionIsSentAgainWhenTheSessionReconnects() throws Exception {
        TcpProxy proxy = TcpProxy.start(zk.connectString());
        nodes.closeLater(proxy);
        Coordinator writer = nodes.connect(zk.connectString(), SETTINGS);
        Nodes.create(writer, "/tree/a", utf8("v1"), CreateMode.PERSISTENT);
        Coordinator c = nodes.connect(proxy.connectString(), SETTINGS);
        long session = c.sessionId();
        CountDownLatch suspended = new CountDownLatch(1);
        CountDownLatch reconnected = new CountDownLatch(1);
        c.addListener(e -> {
            if (e.kind() == ConnectionEvent.Kind.SUSPENDED) {
                suspended.countDown();
            } else if (e.kind() == ConnectionEvent.Kind.RECONNECTED) {
                reconnected.countDown();
            }
        });

        // The tree starts while its requests (the watch, the root's create, the reads) go nowhere;
        // the client gives the connection up after its read timeout.
        proxy.dropRequests();
        StateTree<String> tree = StateTree.builder(c, "/tree", Codec.utf8()).build();
        nodes.closeLater(tree);
        tree.start();
        assertThat(suspended.await(30, TimeUnit.SECONDS)).isTrue();
        proxy.pass();
        assertThat(reconnected.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(c.sessionId()).isEqualTo(session);
        assertThat(tree.awaitInitialized(Duration.ofSeconds(20))).isTrue();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> tree.get("a").map(v -> v.value().equals("v1")).orElse(false));

        // A change after the reconnection reaches the tree only through its watch.
        Nodes.write(writer, "/tree/a", utf8("v2"), -1);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> tree.get("a").map(v -> v.value().equals("v2")).orElse(false));
    }
}
