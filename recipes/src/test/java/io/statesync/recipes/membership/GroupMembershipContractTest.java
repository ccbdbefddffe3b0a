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
package io.statesync.recipes.membership;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.contract.ListenerContract;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;

/** The shared recipe contract for {@link GroupMembership}: change i is member {@code w<i>} joining. */
class GroupMembershipContractTest extends ListenerContract<Member<String>, GroupMembership<String>> {
    private final AtomicInteger members = new AtomicInteger();

    @Override
    protected GroupMembership<String> newRecipe(Coordinator coordinator) {
        return GroupMembership.builder(coordinator, "/contract-group", Codec.utf8())
                .memberId("m" + members.incrementAndGet())
                .metadata("recipe")
                .build();
    }

    @Override
    protected void causeChange(Coordinator writer, int i) throws Exception {
        writer.curatorFramework()
                .create()
                .creatingParentContainersIfNeeded()
                .withMode(CreateMode.EPHEMERAL)
                .forPath("/contract-group/w" + i, ("writer " + i).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected boolean reflects(StateChange<Member<String>> change, int i) {
        String prefix = "/contract-group/w";
        if (!change.path().startsWith(prefix)) {
            return false;
        }
        return Integer.parseInt(change.path().substring(prefix.length())) >= i;
    }
}
