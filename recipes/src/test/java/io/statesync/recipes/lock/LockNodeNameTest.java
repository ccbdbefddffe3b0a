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

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hand-written check of lock znode names (run for every child on every read of the queue)
 * accepts exactly what the pattern {@code <kind>-<uuid>-<10 digits>} describes.
 */
@Timeout(30)
class LockNodeNameTest {
    private static final Pattern NODE_NAME = Pattern.compile(
            "(lock|read|write|lease)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\\d{10}");

    @Test
    void acceptsEveryKindWithAUuidAndATenDigitSequence() {
        String uuid = "0f8e2b1c-3d4a-4b5c-8d9e-a0b1c2d3e4f5";
        for (String kind : List.of("lock", "read", "write", "lease")) {
            assertThat(LockQueue.isLockNode(kind + "-" + uuid + "-0000000042"))
                    .as(kind)
                    .isTrue();
        }
        assertThat(LockQueue.kindOf("write-" + uuid + "-0000000042")).isEqualTo(LockQueue.Kind.WRITE);
        assertThat(LockQueue.kindOf("lease-" + uuid + "-0000000042")).isEqualTo(LockQueue.Kind.LEASE);
    }

    @Test
    void refusesNamesThatAreNotLockZnodes() {
        String uuid = "0f8e2b1c-3d4a-4b5c-8d9e-a0b1c2d3e4f5";
        List<String> names = List.of(
                "",
                "lock",
                "lock-",
                "locks-" + uuid + "-0000000042",
                "loc-" + uuid + "-0000000042",
                "Lock-" + uuid + "-0000000042",
                "lock-" + uuid.toUpperCase(java.util.Locale.ROOT) + "-0000000042",
                "lock-" + uuid + "-000000042",
                "lock-" + uuid + "-00000000420",
                "lock-" + uuid + "-00000000x2",
                "lock-" + uuid + "_0000000042",
                "lock-" + uuid.replace('-', '0') + "-0000000042",
                "lock-" + uuid.substring(1) + "x-0000000042",
                "_c_" + uuid + "-lock-0000000042",
                "marker",
                "lock-" + uuid + "-0000000042-extra");
        for (String name : names) {
            assertThat(LockQueue.isLockNode(name)).as(name).isFalse();
            assertThat(NODE_NAME.matcher(name).matches()).as(name).isFalse();
        }
        assertThat(LockQueue.kindOf("marker")).isNull();
        assertThat(LockQueue.kindOf("locks-x")).isNull();
    }

    @Test
    void agreesWithThePatternOnRandomMutations() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String alphabet = "0123456789abcdefABCDEF-_xlockreadwriteas";
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            String kind = List.of("lock", "read", "write", "lease").get(random.nextInt(4));
            StringBuilder name = new StringBuilder(
                    kind + "-" + UUID.randomUUID() + "-" + String.format("%010d", random.nextInt(Integer.MAX_VALUE)));
            int mutations = random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                int at = random.nextInt(name.length());
                switch (random.nextInt(3)) {
                    case 0 -> name.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> name.deleteCharAt(at);
                    default -> name.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String s = name.toString();
            boolean expected = NODE_NAME.matcher(s).matches();
            assertThat(LockQueue.isLockNode(s)).as(s).isEqualTo(expected);
            if (expected) {
                accepted++;
            }
        }
        assertThat(accepted).isGreaterThan(1_000); // the unmutated third at least
    }
}
