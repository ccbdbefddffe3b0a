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
package io.statesync.recipes.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The singleton task when the server goes silent and the client cannot say so (its event thread is
 * blocked, as in a process that was paused and resumes): the clock alone stops the task at the
 * connection's read timeout, and the node leads again once the server answers.
 */
@Timeout(60)
class LeaderSilenceTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final Duration SESSION = Duration.ofSeconds(3);
    private final Opened opened = new Opened();

    @AfterEach
    void closeAll() throws Exception {
        opened.close();
    }

    @Test
    void theTaskStopsAtTheReadTimeoutOfSilenceWithoutAnyEventFromTheClientAndRunsAgainAfter() throws Exception {
        TcpProxy proxy = opened.add(TcpProxy.start(zk.connectString()));
        Coordinator c = opened.coordinator(proxy.connectString(), zk.namespace(), SESSION);
        List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        c.addListener(events::add);
        List<TaskStop> stops = new CopyOnWriteArrayList<>();
        AtomicLong interruptedAt = new AtomicLong();
        CountDownLatch started = new CountDownLatch(2);
        LeaderElection election = opened.add(LeaderElection.builder(c, "/silent")
                .participantId("a")
                .task(leadership -> {
                    started.countDown();
                    try {
                        TimeUnit.DAYS.sleep(1);
                    } finally {
                        interruptedAt.compareAndSet(0, System.nanoTime());
                    }
                })
                .onTaskStop(stops::add)
                .build());
        election.start();
        assertThat(election.awaitLeadership(Duration.ofSeconds(10))).isTrue();
        long limitMillis = c.internalAccess().silence().limitMillis();

        Faults.EventThreadBlock blocked = Faults.blockEventThread(
                c.curatorFramework().getZookeeperClient().getZooKeeper(), "/block-silent", Duration.ofSeconds(10));
        try {
            proxy.blackhole();
            long cut = System.nanoTime();

            await().atMost(Duration.ofSeconds(15)).until(() -> interruptedAt.get() != 0);
            long stoppedAfterMillis = TimeUnit.NANOSECONDS.toMillis(interruptedAt.get() - cut);
            assertThat(stoppedAfterMillis).isBetween(limitMillis / 2, limitMillis + 2_000);
            assertThat(events).noneMatch(e -> e.kind() == ConnectionEvent.Kind.SUSPENDED);
            assertThat(election.isLeader()).isFalse();
            await().atMost(Duration.ofSeconds(5)).until(() -> !stops.isEmpty());
            assertThat(stops.get(0).reason()).isEqualTo(TaskStop.Reason.CONNECTION_SUSPENDED);
            proxy.pass();
        } finally {
            blocked.close();
        }

        // The client delivers what it held back, reconnects, and the only participant leads again.
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(election.isLeader()).isTrue();
    }
}
