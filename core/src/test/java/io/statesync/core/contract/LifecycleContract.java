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
package io.statesync.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.statesync.core.Coordinator;
import io.statesync.core.LifecycleState;
import io.statesync.core.Recipe;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.ZooKeeperExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lifecycle every {@link Recipe} keeps: LATENT until started, one start, close idempotent and
 * final, close allowed before start. A recipe's test extends this class (or {@link
 * ListenerContract}, for a recipe with listeners) and says how to build the recipe; the suite checks
 * it against a real server.
 *
 * @param <R> the recipe type
 */
@Timeout(60)
public abstract class LifecycleContract<R extends Recipe> {
    @RegisterExtension
    protected static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    protected Coordinator coordinator;
    protected Coordinator writer;

    /**
     * Builds (without starting) an instance of the recipe on the given coordinator. Every call for
     * one test must build a recipe over the same ZooKeeper data.
     *
     * @param coordinator the connection
     * @return the recipe, LATENT
     */
    protected abstract R newRecipe(Coordinator coordinator) throws Exception;

    @BeforeEach
    final void connectAll() throws Exception {
        coordinator = TestNodes.open(zk, zk.connectString(), b -> b);
        writer = TestNodes.open(zk, zk.connectString(), b -> b);
    }

    @AfterEach
    final void closeAll() throws Exception {
        coordinator.close();
        writer.close();
    }

    @Test
    void secondStartIsRefused() throws Exception {
        try (R recipe = newRecipe(coordinator)) {
            assertThat(recipe.state()).isEqualTo(LifecycleState.LATENT);
            recipe.start();
            assertThat(recipe.state()).isEqualTo(LifecycleState.STARTED);
            assertThatThrownBy(recipe::start).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void closeIsIdempotentAndFinal() throws Exception {
        R recipe = newRecipe(coordinator);
        recipe.start();
        recipe.close();
        recipe.close();
        assertThat(recipe.state()).isEqualTo(LifecycleState.CLOSED);
        assertThatThrownBy(recipe::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeBeforeStartIsAllowed() throws Exception {
        R recipe = newRecipe(coordinator);
        recipe.close();
        assertThat(recipe.state()).isEqualTo(LifecycleState.CLOSED);
    }

    @Test
    void aRecipeIsReportedByItsCoordinatorFromBuildUntilClose() throws Exception {
        int none = coordinator.recipes().size();
        R recipe = newRecipe(coordinator);
        int built = coordinator.recipes().size();
        assertThat(built).as("built: reported by Coordinator.recipes()").isGreaterThan(none);
        recipe.start();
        recipe.close();
        assertThat(coordinator.recipes()).as("closed: no longer reported").hasSizeLessThan(built);
    }
}
