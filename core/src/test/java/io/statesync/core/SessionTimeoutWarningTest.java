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

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * What the coordinator can learn about the ensemble's timing from the session timeout the server
 * grants, against a server with ZooKeeper's usual tickTime of 2 s (so its minimum session timeout is
 * 4 s and its maximum 40 s).
 */
@Timeout(60)
class SessionTimeoutWarningTest {
    private static TestingServer server;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    private final Logger coordinatorLog = (Logger) LoggerFactory.getLogger(Coordinator.class);

    @BeforeAll
    static void startServer() throws Exception {
        // ZooKeeper's own bounds for tickTime 2 s (2 and 20 ticks), set explicitly because
        // curator-test's server narrows them otherwise.
        Map<String, Object> properties = new HashMap<>();
        properties.put("minSessionTimeout", "4000");
        properties.put("maxSessionTimeout", "40000");
        server = new TestingServer(
                new InstanceSpec(null, -1, -1, -1, true, -1, 2000, -1, properties, "127.0.0.1"), true);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void captureLog() {
        log.list = new CopyOnWriteArrayList<>(); // appended on Curator's thread, read here
        log.start();
        coordinatorLog.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        coordinatorLog.detachAppender(log);
    }

    private List<String> warnings() {
        return log.list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .collect(Collectors.toList());
    }

    @Test
    void aSessionTimeoutRaisedByTheServerToItsMinimumIsWarnedAbout() throws Exception {
        try (Coordinator c = Coordinator.builder(server.getConnectString())
                .sessionTimeout(Duration.ofSeconds(2))
                .build()) {
            c.start();
            c.awaitConnected(Duration.ofSeconds(10));
            assertThat(c.negotiatedSessionTimeout()).isEqualTo(Duration.ofSeconds(4));
            // the connection is logged on Curator's event thread, after awaitConnected may return
            await().atMost(Duration.ofSeconds(20)).until(() -> !warnings().isEmpty());
            List<String> warnings = warnings();
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0))
                    .contains("raised")
                    .contains("PT2S")
                    .contains("PT4S")
                    .contains("syncLimit")
                    .contains("tickTime");
        }
    }

    @Test
    void aSessionTimeoutGrantedAsRequestedIsNotWarnedAbout() throws Exception {
        try (Coordinator c = Coordinator.builder(server.getConnectString())
                .sessionTimeout(Duration.ofSeconds(12))
                .build()) {
            c.start();
            c.awaitConnected(Duration.ofSeconds(10));
            assertThat(c.negotiatedSessionTimeout()).isEqualTo(Duration.ofSeconds(12));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> log.list.stream()
                            .anyMatch(e -> e.getFormattedMessage().contains("session timeout")));
            assertThat(warnings()).isEmpty();
        }
    }
}
