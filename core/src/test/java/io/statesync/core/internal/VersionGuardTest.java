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
package io.statesync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The version check on pairs of version strings, and on the build's own class path. */
@Timeout(30)
class VersionGuardTest {

    @Test
    void testedVersionsPassSilently() {
        VersionGuard.Verdict verdict = VersionGuard.check("3.9.5", "5.9.0");
        assertThat(verdict.refusal()).isNull();
        assertThat(verdict.warnings()).isEmpty();
    }

    @Test
    void zooKeepersFullVersionStringIsUnderstood() {
        VersionGuard.Verdict verdict = VersionGuard.check(
                "3.9.5-293c895a8d966a3ecb92872be4a1daf87d725da2, built on 2026-02-11 20:14 UTC", "5.9.0");
        assertThat(verdict.refusal()).isNull();
        assertThat(verdict.warnings()).isEmpty();
    }

    @Test
    void zooKeeper393IsRefusedWithTheFix() {
        VersionGuard.Verdict verdict =
                VersionGuard.check("3.9.3-c26634f34490bb0ea7a09cc51e05ede3b4e320ee, built on x", "5.9.0");
        assertThat(verdict.refusal())
                .contains("ZooKeeper 3.9.3")
                .contains("data-loss")
                .contains("pin org.apache.zookeeper:zookeeper to 3.9.5")
                .contains("statesync-bom");
        assertThatThrownBy(() -> VersionGuard.enforce(verdict, new AtomicBoolean(), w -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ZooKeeper 3.9.3")
                .hasMessageContaining("3.9.5");
    }

    @Test
    void untestedVersionsWarnOnceAndStart() {
        VersionGuard.Verdict verdict = VersionGuard.check("3.9.4", "5.8.0");
        assertThat(verdict.refusal()).isNull();
        assertThat(verdict.warnings())
                .containsExactly(
                        "ZooKeeper 3.9.4 is on the class path; statesync is tested with 3.9.5 (untested: import"
                                + " io.statesync:statesync-bom first to get the tested version).",
                        "Curator 5.8.0 is on the class path; statesync is tested with 5.9.0 (untested: import"
                                + " io.statesync:statesync-bom first to get the tested version).");

        AtomicBoolean warned = new AtomicBoolean();
        List<String> logged = new ArrayList<>();
        VersionGuard.enforce(verdict, warned, logged::add);
        VersionGuard.enforce(verdict, warned, logged::add);
        VersionGuard.enforce(VersionGuard.check("3.8.4", "5.9.0"), warned, logged::add);
        assertThat(logged).hasSize(1);
        assertThat(logged.get(0)).contains("ZooKeeper 3.9.4").contains("Curator 5.8.0");
    }

    @Test
    void unreadableVersionsWarn() {
        VersionGuard.Verdict verdict = VersionGuard.check(null, "unknown");
        assertThat(verdict.refusal()).isNull();
        assertThat(verdict.warnings()).hasSize(2).allMatch(w -> w.startsWith("Could not read"));
    }

    @Test
    void theBuildsClassPathHasTheTestedVersions() {
        // Fails when the build's zookeeper.version or curator.version moves without the guard.
        assertThat(VersionGuard.numeric(VersionGuard.zooKeeperVersionOnClassPath()))
                .isEqualTo(VersionGuard.TESTED_ZOOKEEPER);
        assertThat(VersionGuard.numeric(VersionGuard.curatorVersionOnClassPath()))
                .isEqualTo(VersionGuard.TESTED_CURATOR);
        assertThatCode(VersionGuard::verifyClassPath).doesNotThrowAnyException();
    }
}
