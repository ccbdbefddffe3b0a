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
package io.statesync.spring.boot.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.state.SharedState;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** {@link EmbeddedZooKeeper} as a test class uses it. */
@SpringBootTest(classes = EmbeddedZooKeeperTest.App.class, webEnvironment = WebEnvironment.NONE)
@EmbeddedZooKeeper
class EmbeddedZooKeeperTest {
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {}

    @Autowired
    Coordinator coordinator;

    @Autowired
    EmbeddedZooKeeperServer zooKeeper;

    @Test
    @Timeout(60)
    void theCoordinatorConnectsToTheContextsServer() throws Exception {
        coordinator.awaitConnected(Duration.ofSeconds(30));
        assertThat(coordinator.connectString()).isEqualTo(zooKeeper.connectString());
        assertThat(coordinator.namespace()).isEqualTo(zooKeeper.namespace());
        try (SharedState<String> flag =
                SharedState.builder(coordinator, "/flag", Codec.utf8(), "off").build()) {
            flag.start();
            assertThat(flag.set("on").value()).isEqualTo("on");
        }
    }

    /** A second test class with the same configuration: the cached context, its server, its state. */
    @Nested
    class SecondClass {
        @Autowired
        Coordinator nestedCoordinator;

        @Test
        @Timeout(60)
        void usesTheSameCachedContext() throws Exception {
            assertThat(nestedCoordinator).isSameAs(coordinator);
            nestedCoordinator.awaitConnected(Duration.ofSeconds(30));
            try (SharedState<String> flag = SharedState.builder(nestedCoordinator, "/nested-flag", Codec.utf8(), "off")
                    .build()) {
                flag.start();
                assertThat(flag.set("on").value()).isEqualTo("on");
            }
        }
    }
}
