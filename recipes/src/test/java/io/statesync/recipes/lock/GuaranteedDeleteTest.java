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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.recipes.internal.GuaranteedDelete;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The guaranteed delete the lock, leader and membership recipes share: it finds a znode by the
 * attempt id in its name (a create whose answer was lost), sends the delete again once connected,
 * and stops when the owning session has ended.
 */
@Timeout(60)
class GuaranteedDeleteTest extends LockTestSupport {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final String PATH = "/locks/clean";

    @Override
    ZooKeeperExtension zk() {
        return zk;
    }

    private static String full(Coordinator c, String path) {
        return "/" + c.namespace() + path;
    }

    @Test
    void aNodeWhoseCreateAnswerWasLostIsFoundByItsIdAndDeleted() throws Exception {
        Coordinator c = connect();
        String id = UUID.randomUUID().toString();
        String other = UUID.randomUUID().toString();
        // Two creates of one attempt landed (e.g. a retry after a lost answer), one of another.
        for (String name : new String[] {id, id, other}) {
            c.curatorFramework()
                    .create()
                    .creatingParentContainersIfNeeded()
                    .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .forPath(PATH + "/lock-" + name + "-");
        }
        new GuaranteedDelete(c, "test")
                .deleteById(full(c, PATH), id, c.sessionId())
                .get(20, TimeUnit.SECONDS);
        assertThat(queue(c, PATH)).hasSize(1).allSatisfy(n -> assertThat(n).contains(other));
    }

    @Test
    void aDeleteWhileDisconnectedCompletesOnceTheConnectionIsBack() throws Exception {
        TcpProxy proxy = closeLater(TcpProxy.start(zk.connectString()));
        Coordinator c = connect(proxy.connectString(), Duration.ofSeconds(20), ConnectionLossPolicy.ON_SUSPENDED);
        String node = c.curatorFramework()
                .create()
                .creatingParentContainersIfNeeded()
                .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                .forPath(PATH + "/lock-" + UUID.randomUUID() + "-");
        long session = c.sessionId();
        proxy.refuse();
        await().atMost(Duration.ofSeconds(20)).until(() -> !c.isConnected());

        CompletableFuture<Void> deleted = new GuaranteedDelete(c, "test").deleteNode(full(c, node), session);
        Coordinator observer = connect();
        assertThat(exists(observer, node)).isTrue();
        assertThat(deleted).isNotDone();

        proxy.pass();
        deleted.get(30, TimeUnit.SECONDS);
        assertThat(exists(observer, node)).isFalse();
        assertThat(c.sessionId()).isEqualTo(session);
    }

    @Test
    void aDeleteForAnEndedSessionStopsAtOnce() throws Exception {
        Coordinator c = connect(zk.connectString(), Duration.ofSeconds(10), ConnectionLossPolicy.ON_SUSPENDED);
        long session = c.sessionId();
        Faults.expireSession(
                c.curatorFramework().getZookeeperClient().getZooKeeper(), zk.connectString(), Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(20)).until(() -> c.isConnected() && c.sessionId() != session);
        // The server removed the session's ephemeral nodes; there is nothing to wait for.
        new GuaranteedDelete(c, "test")
                .deleteNode(full(c, PATH + "/lock-gone-0000000001"), session)
                .get(5, TimeUnit.SECONDS);
    }
}
