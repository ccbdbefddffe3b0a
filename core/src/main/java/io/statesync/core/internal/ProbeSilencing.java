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

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Which of one coordinator's {@link Telemetry.Probe}s are silent: the probes made so far (held
 * weakly, so a recipe never closed is not kept) and the paths silenced by {@link
 * Telemetry#silenceUnder}, under which probes made now or later are silenced. Thread-safe: both are
 * guarded by {@link #probes}.
 */
final class ProbeSilencing {
    private final Set<Telemetry.Probe> probes = Collections.newSetFromMap(new WeakHashMap<>());
    // guarded by probes: the paths silenced by silenceUnder
    private final List<String> silencedPaths = new ArrayList<>();

    /** Keeps a new probe, silencing it if its path is under a silenced path. */
    void add(Telemetry.Probe p) {
        synchronized (probes) {
            for (String silenced : silencedPaths) {
                if (under(p.path(), silenced)) {
                    p.silence();
                }
            }
            probes.add(p);
        }
    }

    /** Silences the probes under {@code path}, made so far or later. */
    void silenceUnder(String path) {
        synchronized (probes) {
            silencedPaths.add(path);
            for (Telemetry.Probe p : probes) {
                if (under(p.path(), path)) {
                    p.silence();
                }
            }
        }
    }

    /** Ends one {@link #silenceUnder} of {@code path}; probes already silenced stay silent. */
    void endSilenceUnder(String path) {
        synchronized (probes) {
            silencedPaths.remove(path);
        }
    }

    private static boolean under(String path, String root) {
        return path.startsWith(root.endsWith("/") ? root : root + "/");
    }
}
