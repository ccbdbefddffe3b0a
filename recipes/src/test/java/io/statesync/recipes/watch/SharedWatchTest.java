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
import io.statesync.core.Coordinator;
import io.statesync.core.testing.TestNodes;
import io.statesync.recipes.state.SharedState;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ZooKeeper keeps one server watch per connection and path: a shared state and a tree watcher on
 * the same path of one coordinator share it, and closing one must not silence the other.
 */
@Timeout(60)
class SharedWatchTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private Coordinator connect() throws InterruptedException {
        return TestNodes.open(zk, zk.connectString(), b -> b);
    }

    @Test
    void closingOneRecipeKeepsTheOtherOnTheSamePathWatching() throws Exception {
        try (Coordinator coordinator = connect();
                Coordinator writer = connect();
                StateTree<String> tree =
                        StateTree.builder(coordinator, "/shared", Codec.utf8()).build();
                StateTree<String> writerTree =
                        StateTree.builder(writer, "/shared", Codec.utf8()).build()) {
            SharedState<String> state = SharedState.builder(coordinator, "/shared", Codec.utf8(), "v0")
                    .build();
            state.start();
            assertThat(state.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            tree.start();
            writerTree.start();
            assertThat(tree.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            assertThat(writerTree.awaitInitialized(Duration.ofSeconds(10))).isTrue();

            writerTree.put("a", "1");
            await().atMost(Duration.ofSeconds(10)).until(() -> tree.get("a").isPresent());

            state.close();

            writerTree.put("a", "2");
            writerTree.put("b", "3");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> tree.get("a").map(v -> v.value().equals("2")).orElse(false)
                            && tree.get("b").isPresent());
        }
    }
}
