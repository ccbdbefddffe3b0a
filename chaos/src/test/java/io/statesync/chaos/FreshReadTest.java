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
package io.statesync.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.state.SharedState;
import io.statesync.recipes.watch.StateTree;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code SharedState.read()} is ordered after every write acknowledged before it by a quorum
 * operation, not by {@code sync} alone: on a real 3-server ensemble, connected to the leader (where
 * a {@code sync} passes through like a read, so a write a follower acknowledged may not be applied
 * yet; {@code RegisterChaosTest} saw such a read), each fresh read commits one transaction.
 */
@Timeout(300)
class FreshReadTest {
    private final ChaosProcesses processes = new ChaosProcesses();

    @AfterEach
    void closeAll() throws Exception {
        processes.close();
    }

    @Test
    void aFreshReadOnTheLeaderIsOrderedByAQuorumOperation() throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        int leader = ensemble.leader();
        Coordinator coordinator = processes.later(Coordinator.builder(ensemble.connectString(leader))
                .namespace("fresh-read")
                .sessionTimeout(Duration.ofSeconds(10))
                .build());
        coordinator.start();
        coordinator.awaitConnected(Duration.ofSeconds(60));
        SharedState<String> register =
                processes.later(SharedState.builder(coordinator, "/register", Codec.utf8(), "init")
                        .build());
        register.start();
        register.awaitInitialized(Duration.ofSeconds(60));
        assertThat(register.read(Duration.ofSeconds(30)).orElseThrow().value()).isEqualTo("init");

        long before = ensemble.zxid(leader);
        int reads = 5;
        for (int i = 0; i < reads; i++) {
            assertThat(register.read(Duration.ofSeconds(30)).orElseThrow().value())
                    .isEqualTo("init");
        }
        assertThat(ensemble.zxid(leader) - before)
                .as("transactions the leader committed for %d fresh reads (nothing else writes)", reads)
                .isGreaterThanOrEqualTo(reads);
    }

    @Test
    void aFreshTreeReadOnTheLeaderIsOrderedByAQuorumOperation() throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        int leader = ensemble.leader();
        Coordinator coordinator = processes.later(Coordinator.builder(ensemble.connectString(leader))
                .namespace("fresh-tree-read")
                .sessionTimeout(Duration.ofSeconds(10))
                .build());
        coordinator.start();
        coordinator.awaitConnected(Duration.ofSeconds(60));
        StateTree<String> tree = processes.later(
                StateTree.builder(coordinator, "/tree", Codec.utf8()).build());
        tree.start();
        assertThat(tree.awaitInitialized(Duration.ofSeconds(60))).isTrue();
        tree.put("k", "v");

        long before = ensemble.zxid(leader);
        int reads = 5;
        for (int i = 0; i < reads; i++) {
            assertThat(tree.read("k", Duration.ofSeconds(30)).orElseThrow().value())
                    .isEqualTo("v");
        }
        assertThat(ensemble.zxid(leader) - before)
                .as("transactions the leader committed for %d fresh reads of a key (nothing else writes)", reads)
                .isGreaterThanOrEqualTo(reads);
    }
}
