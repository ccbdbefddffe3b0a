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

import io.statesync.core.Coordinator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The frame every single-node command shares: its {@link NodeOptions}, a console on the command's
 * output, the node's id, a stop signal and a connected coordinator, opened in that order before the
 * command's own work and closed in the reverse order after it.
 */
abstract class NodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions options;

    @Override
    public final Integer call() throws Exception {
        Console console = new Console(spec.commandLine().getOut(), true);
        String id = options.nodeId();
        try (StopSignal signal = new StopSignal();
                Coordinator coordinator = options.connect(console)) {
            return run(console, id, signal, coordinator);
        }
    }

    /**
     * The command's own work on a connected coordinator. It closes the recipes it builds itself, so
     * that they close before the coordinator does.
     *
     * @return the exit code
     */
    abstract int run(Console console, String id, StopSignal signal, Coordinator coordinator) throws Exception;
}
