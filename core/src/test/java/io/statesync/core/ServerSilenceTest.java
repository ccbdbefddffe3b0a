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
package io.statesync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.internal.ServerSilence;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The silence read from the ZooKeeper client's receive clock, against a real server and a real cut. */
@Timeout(60)
class ServerSilenceTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static Coordinator connect(String connectString, ConnectionLossPolicy policy) throws Exception {
        Coordinator c = Coordinator.builder(connectString)
                .namespace(zk.namespace())
                .sessionTimeout(Duration.ofSeconds(3))
                .connectionTimeout(Duration.ofSeconds(1))
                .connectionLossPolicy(policy)
                .build();
        c.start();
        c.awaitConnected(Duration.ofSeconds(10));
        return c;
    }

    @Test
    void unknownBeforeTheFirstConnectionThenBelowTheLimitWhileTheServerAnswers() throws Exception {
        try (Coordinator c = Coordinator.builder(zk.connectString())
                .namespace(zk.namespace())
                .build()) {
            ServerSilence silence = c.internalAccess().silence();
            assertThat(silence.silentMillis()).isEqualTo(-1);
            assertThat(silence.pastLimit()).isNull();
            c.start();
            c.awaitConnected(Duration.ofSeconds(10));
            assertThat(silence.silentMillis()).isBetween(0L, silence.limitMillis() - 1);
            assertThat(silence.pastLimit()).isNull();
        }
    }

    @Test
    void theLimitIsTheReadTimeoutUnderOnSuspendedAndTheSessionTimeoutUnderOnLost() throws Exception {
        try (Coordinator suspended = connect(zk.connectString(), ConnectionLossPolicy.ON_SUSPENDED);
                Coordinator lost = connect(zk.connectString(), ConnectionLossPolicy.ON_LOST)) {
            long negotiated = suspended.negotiatedSessionTimeout().toMillis();
            assertThat(suspended.internalAccess().silence().limitMillis()).isEqualTo(negotiated * 2 / 3);
            assertThat(lost.internalAccess().silence().limitMillis())
                    .isEqualTo(lost.negotiatedSessionTimeout().toMillis());
        }
    }

    @Test
    void aSilentServerPassesTheLimitTheWatchdogActsOnceAndAnAnswerEndsTheSilence() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(zk.connectString());
                Coordinator c = connect(proxy.connectString(), ConnectionLossPolicy.ON_SUSPENDED)) {
            ServerSilence silence = c.internalAccess().silence();
            CountDownLatch acted = new CountDownLatch(1);
            AtomicInteger actions = new AtomicInteger();
            try (ServerSilence.Registration unused = silence.onPastLimit(() -> {
                actions.incrementAndGet();
                acted.countDown();
            })) {
                proxy.blackhole();
                long cut = System.nanoTime();
                assertThat(acted.await(20, TimeUnit.SECONDS)).isTrue();
                long afterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut);
                // The last reply came before the cut, at most a third of the session timeout before.
                assertThat(afterMillis).isGreaterThanOrEqualTo(silence.limitMillis() / 2);
                assertThat(silence.pastLimit()).contains("no reply from ZooKeeper", "read timeout");
                assertThat((Long) c.health().details().get("serverSilentMs"))
                        .isGreaterThanOrEqualTo(silence.limitMillis());

                proxy.pass();
                await().atMost(Duration.ofSeconds(20)).until(() -> silence.pastLimit() == null);
                assertThat(silence.silentMillis()).isLessThan(silence.limitMillis());
                // Once per episode, not once per watchdog wake-up.
                assertThat(actions.get()).isEqualTo(1);
            }
        }
    }
}
