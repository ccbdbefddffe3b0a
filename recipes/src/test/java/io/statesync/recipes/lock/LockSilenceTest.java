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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ConnectionEvent;
import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.LockLostException;
import io.statesync.core.internal.ServerSilence;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A held lock when the server goes silent and the client cannot say so: its event thread is blocked,
 * as it is in a process that was paused and resumes, so no SUSPENDED reaches statesync. The clock
 * alone turns the handle invalid once the loss policy's limit has passed.
 */
@Timeout(60)
class LockSilenceTest extends LockTestSupport {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final Duration SESSION = Duration.ofSeconds(3);

    @Override
    ZooKeeperExtension zk() {
        return zk;
    }

    @Test
    void underOnSuspendedTheHandleIsLostAtTheReadTimeoutWithoutAnyEventFromTheClient() throws Exception {
        assertLostOnSilence(
                ConnectionLossPolicy.ON_SUSPENDED, "/locks/silent-suspended", "the connection's read timeout");
    }

    @Test
    void underOnLostTheHandleIsLostAtTheSessionTimeoutWithoutAnyEventFromTheClient() throws Exception {
        assertLostOnSilence(ConnectionLossPolicy.ON_LOST, "/locks/silent-lost", "the negotiated session timeout");
    }

    private void assertLostOnSilence(ConnectionLossPolicy policy, String path, String limitNamed) throws Exception {
        TcpProxy proxy = closeLater(TcpProxy.start(zk.connectString()));
        Coordinator a = connect(proxy.connectString(), SESSION, policy);
        Events events = new Events();
        a.addListener(events);
        DistributedLock lock = lock(a, path);
        Lost lost = new Lost();
        lock.addLockLostListener(lost);
        LockHandle held = lock.acquire(Duration.ofSeconds(10));
        ServerSilence silence = a.internalAccess().silence();
        assertThat(silence.silentMillis()).isBetween(0L, silence.limitMillis() - 1);
        long limit = silence.limitMillis();
        assertThat(limit)
                .isEqualTo(
                        policy == ConnectionLossPolicy.ON_LOST
                                ? a.internalAccess().sessionTimeout().toMillis()
                                : a.internalAccess().sessionTimeout().toMillis() * 2 / 3);

        Faults.EventThreadBlock blocked = Faults.blockEventThread(
                a.curatorFramework().getZookeeperClient().getZooKeeper(),
                "/block" + path.replace('/', '-'),
                Duration.ofSeconds(10));
        try {
            proxy.blackhole();
            long cut = System.nanoTime();

            // Nothing here asks the handle: the watchdog alone acts, and its listener call says when.
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> lost.handles.contains(held));
            long afterMillis = (System.nanoTime() - cut) / 1_000_000;
            // Not before the limit (the server's last reply came before the cut, by less than a ping
            // interval), and not long after it: the watchdog wakes every 50 ms; the rest is slack for
            // a loaded machine.
            assertThat(afterMillis).isGreaterThanOrEqualTo(limit / 2).isLessThanOrEqualTo(limit + 1_500);
            assertThat(lost.reasons.get(0).getMessage()).contains("no reply from ZooKeeper");
            assertThat(events.saw(ConnectionEvent.Kind.SUSPENDED)).isFalse();
            assertThat(events.saw(ConnectionEvent.Kind.LOST)).isFalse();
            assertThat(held.isValid()).isFalse();
            assertThat(held.toString()).contains("no reply from ZooKeeper", limitNamed);
            assertThatThrownBy(() -> held.write(GuardedWrite.of().check(path, -1)))
                    .isInstanceOf(LockLostException.class)
                    .hasMessageContaining("nothing was written");
            proxy.pass();
        } finally {
            blocked.close();
        }

        // The client catches up with what it could not deliver; the lock can be taken again.
        held.close();
        try (LockHandle again = lock.acquire(Duration.ofSeconds(30))) {
            assertThat(again.token()).isGreaterThan(held.token());
            assertThat(again.isValid()).isTrue();
        }
    }
}
