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
package io.statesync.recipes.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.DeadlineProbe;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A follower's read behind a black-holed connection runs against the coordinator's operation
 * timeout (2 s here), not the retry policy: with a policy that waits 20 s between retries, a
 * follower whose read the outage caught still catches up within seconds once the network heals.
 * The session (20 s) outlives the outage, so the same session resumes.
 */
@Timeout(120)
class EventLogRecoveryTest {
    /** How soon after the heal an event appended then must be seen (the operation timeout is 2 s). */
    private static final Duration CATCH_UP = Duration.ofSeconds(8);

    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final DeadlineProbe probe = new DeadlineProbe();

    @AfterEach
    void closeAll() throws Exception {
        probe.close();
    }

    @Test
    void aFollowerCaughtByAnOutageCatchesUpWithinSecondsAfterItHeals() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        Coordinator observer = probe.connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        EventLog<String> writer = probe.closeLater(
                EventLog.builder(observer, "/log", Codec.utf8()).build());
        writer.start();
        writer.append("a");

        Coordinator c = probe.slowRetrying(proxy.connectString(), zk.namespace(), b -> b);
        EventLog<String> log =
                probe.closeLater(EventLog.builder(c, "/log", Codec.utf8()).build());
        log.start();
        EventSourcedState<String, String> state = probe.closeLater(
                EventSourcedState.builder(log, "", String::concat).build());
        state.start();
        assertThat(state.awaitPosition(1, Duration.ofSeconds(10))).isTrue();

        proxy.blackhole();
        // The follower re-reads at least every 5 s: a read is caught by the outage, and fails when
        // the client notices the loss (2/3 of the session timeout).
        await().atMost(Duration.ofSeconds(40)).until(() -> !c.isConnected());
        proxy.pass();
        c.awaitConnected(Duration.ofSeconds(20));
        writer.append("b");
        assertThat(state.awaitPosition(2, CATCH_UP)).isTrue();
        assertThat(state.current().value()).isEqualTo("ab");
    }
}
