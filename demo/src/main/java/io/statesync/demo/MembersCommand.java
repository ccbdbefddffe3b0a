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
package io.statesync.demo;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.membership.GroupMembership;
import java.time.Duration;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/** One member of a group (GroupMembership): registers itself and prints joins and leaves. */
@Command(
        name = "members",
        mixinStandardHelpOptions = true,
        description = {
            "One member of the group at /members: registers itself (an ephemeral znode named after --node) and"
                    + " prints every member that joins or leaves.",
            "A member stopped with Ctrl-C leaves at once; one killed with kill -9 leaves when its session times out."
        })
final class MembersCommand extends NodeCommand {
    static final String PATH = "/members";

    @Override
    int run(Console console, String id, StopSignal signal, Coordinator coordinator) throws Exception {
        try (GroupMembership<String> group = GroupMembership.builder(coordinator, PATH, Codec.utf8())
                .memberId(id)
                .metadata("pid " + ProcessHandle.current().pid())
                .build()) {
            CountDownLatch seenSelf = new CountDownLatch(1);
            group.addListener(change -> {
                if (group.members().containsKey(id)) {
                    seenSelf.countDown(); // the group's own view has caught up with our registration
                }
                String member = change.path().substring(change.path().lastIndexOf('/') + 1);
                switch (change.kind()) {
                    case CREATED ->
                        console.event(member + " joined ("
                                + change.current()
                                        .map(v -> v.value().metadata())
                                        .orElse("") + ")");
                    case DELETED -> console.event(member + " left");
                    default -> {
                        return;
                    }
                }
                console.event("members now: " + new TreeSet<>(group.members().keySet()));
            });
            group.start();
            group.awaitRegistered(Duration.ofSeconds(30));
            if (!group.members().containsKey(id)) {
                seenSelf.await(10, TimeUnit.SECONDS);
            }
            console.event(id + " registered; members now: "
                    + new TreeSet<>(group.members().keySet()));
            signal.await();
            console.say(id + " stopping: leaving the group and closing the session");
        }
        return Demo.OK;
    }
}
