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
package io.statesync.recipes.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ChangeKind;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.recipes.leader.Leadership;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The replicated state's leadership listener and its command log's append timeout. */
@Timeout(60)
class ReplicatedStateApiTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final Nodes3 nodes = new Nodes3(zk);

    @AfterEach
    void closeAll() throws Exception {
        nodes.close();
    }

    /** Records leadership changes. */
    static final class Leaders implements StateListener<Leadership> {
        final List<StateChange<Leadership>> changes = new CopyOnWriteArrayList<>();

        @Override
        public void onChange(StateChange<Leadership> change) {
            changes.add(change);
        }

        boolean selfLeads() {
            if (changes.isEmpty()) {
                return false;
            }
            StateChange<Leadership> last = changes.get(changes.size() - 1);
            return last.current().isPresent() && last.current().get().value().isSelf();
        }

        String leader() {
            StateChange<Leadership> last = changes.get(changes.size() - 1);
            return last.current().map(v -> v.value().leaderId()).orElse("");
        }
    }

    @Test
    void aLeadershipListenerHearsWhenThisNodeLeadsAndWhenAnotherTakesOver() throws Exception {
        ReplicatedState<Long, Long> a =
                nodes.add(Nodes3.counter(nodes.coordinator(), "/r", "a").build());
        Leaders la = new Leaders();
        a.addLeadershipListener(la);
        a.start();
        await().atMost(Duration.ofSeconds(20)).until(la::selfLeads);
        assertThat(a.isLeader()).isTrue();
        assertThat(la.leader()).isEqualTo("a");

        ReplicatedState<Long, Long> b =
                nodes.add(Nodes3.counter(nodes.coordinator(), "/r", "b").build());
        Leaders lb = new Leaders();
        b.start();
        b.addLeadershipListener(lb, Runnable::run); // added late: an INITIAL change with the leader
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !lb.changes.isEmpty() && lb.leader().equals("a"));
        assertThat(lb.changes.get(0).kind()).isEqualTo(ChangeKind.INITIAL);
        assertThat(lb.selfLeads()).isFalse();

        a.close();
        await().atMost(Duration.ofSeconds(20)).until(lb::selfLeads);
        assertThat(b.isLeader()).isTrue();
        assertThat(b.submit(5L).get(20, TimeUnit.SECONDS).state().value()).isEqualTo(5L);
        assertThat(b.removeLeadershipListener(lb)).isTrue();
        assertThat(b.removeLeadershipListener(lb)).isFalse();
    }

    @Test
    void awaitVersionReturnsFalseOnlyOnTimeoutAndThrowsWhenNotStartedOrClosed() throws Exception {
        ReplicatedState<Long, Long> r =
                nodes.add(Nodes3.counter(nodes.coordinator(), "/w", "w").build());
        assertThatThrownBy(() -> r.awaitVersion(1, Duration.ofMillis(10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not started");
        r.start();
        assertThat(r.awaitVersion(1, Duration.ofMillis(200))).isFalse();
        assertThat(r.submit(1L).get(20, TimeUnit.SECONDS).version()).isEqualTo(1);
        assertThat(r.awaitVersion(1, Duration.ofSeconds(20))).isTrue();
        r.close();
        assertThat(r.awaitVersion(1, Duration.ZERO)).isTrue(); // already reached
        assertThatThrownBy(() -> r.awaitVersion(2, Duration.ofSeconds(5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void theCommandLogAppendTimeoutIsSetByTheBuilderAndValidated() throws Exception {
        Coordinator c = nodes.coordinator();
        assertThatThrownBy(() -> Nodes3.counter(c, "/v", "x")
                        .commandAppendTimeout(Duration.ZERO)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commandAppendTimeout");
        assertThatThrownBy(() -> Nodes3.counter(c, "/v", "x")
                        .commandTimeout(Duration.ofSeconds(5))
                        .commandAppendTimeout(Duration.ofSeconds(6))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commandAppendTimeout")
                .hasMessageContaining("commandTimeout");
        // A short commandTimeout alone still builds: the append timeout follows it.
        nodes.add(Nodes3.counter(c, "/v", "x")
                .commandTimeout(Duration.ofSeconds(5))
                .build());

        // Wired to the command log: with 1 ns, the append runs out of time at the first reply it
        // waits for, and the command's future fails with the log's error, naming the command log
        // and that timeout.
        ReplicatedState<Long, Long> r = nodes.add(Nodes3.counter(c, "/t", "t")
                .commandAppendTimeout(Duration.ofNanos(1))
                .build());
        r.start();
        CompletableFuture<Applied<Long>> late = r.submit(1L);
        assertThatThrownBy(() -> late.get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(OperationTimeoutException.class)
                .hasMessageContaining("/t/commands")
                .hasMessageContaining("PT0.000000001S");
    }
}
