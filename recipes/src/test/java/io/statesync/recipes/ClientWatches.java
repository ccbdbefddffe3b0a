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
package io.statesync.recipes;

import io.statesync.core.Coordinator;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.ZooKeeper;

/**
 * The watches a coordinator's current ZooKeeper handle holds (one-shot data, exist and child
 * watches, and persistent ones, as the client keeps them), for tests that check a recipe removes
 * what it set.
 */
public final class ClientWatches {
    private ClientWatches() {}

    /**
     * The absolute paths (with the namespace) the coordinator's handle holds a one-shot watch on,
     * under {@code prefix}.
     *
     * @param coordinator the coordinator
     * @param prefix an absolute path prefix
     * @return the paths, one entry per kind of watch held
     * @throws Exception if the client cannot be inspected
     */
    public static List<String> under(Coordinator coordinator, String prefix) throws Exception {
        return held(coordinator, prefix, List.of("getDataWatches", "getExistWatches", "getChildWatches"));
    }

    /**
     * The absolute paths (with the namespace) the coordinator's handle holds any watch on, one-shot
     * or persistent (plain or recursive), under {@code prefix}.
     *
     * @param coordinator the coordinator
     * @param prefix an absolute path prefix
     * @return the paths, one entry per kind of watch held
     * @throws Exception if the client cannot be inspected
     */
    public static List<String> anyUnder(Coordinator coordinator, String prefix) throws Exception {
        return held(
                coordinator,
                prefix,
                List.of(
                        "getDataWatches",
                        "getExistWatches",
                        "getChildWatches",
                        "getPersistentWatches",
                        "getPersistentRecursiveWatches"));
    }

    private static List<String> held(Coordinator coordinator, String prefix, List<String> getters) throws Exception {
        ZooKeeper zk = coordinator.curatorFramework().getZookeeperClient().getZooKeeper();
        List<String> paths = new ArrayList<>();
        for (String getter : getters) {
            Method m = ZooKeeper.class.getDeclaredMethod(getter);
            m.setAccessible(true);
            @SuppressWarnings("unchecked")
            List<String> held = (List<String>) m.invoke(zk);
            for (String p : held) {
                if (p.equals(prefix) || p.startsWith(prefix + "/")) {
                    paths.add(p);
                }
            }
        }
        return paths;
    }
}
