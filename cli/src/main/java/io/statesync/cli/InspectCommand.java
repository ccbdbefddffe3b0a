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
package io.statesync.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code statesync inspect PATH}: recognises the recipe at a path and shows it. Reads only. */
@Command(
        name = "inspect",
        description = "Recognises the recipe at PATH and shows it in its own terms: holders and waiters of a lock,"
                + " leader and epoch of an election, depth, claims and dead letters of a queue, ...")
final class InspectCommand implements Callable<Integer> {
    @Mixin
    ReadOptions options;

    @Parameters(index = "0", paramLabel = "PATH", description = "The recipe's path, relative to the namespace.")
    String path;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        String p = ReadOptions.checkPath(path);
        try (Session s = Session.open(options.connection)) {
            Map<String, Object> view = new Inspector(s.znodes, options.format, options.max).inspect(p);
            print(spec.commandLine().getOut(), view, options.json);
        }
        return 0;
    }

    static void print(PrintWriter out, Map<String, Object> view, boolean json) {
        if (json) {
            out.println(Render.jsonPretty(view));
            out.flush();
        } else {
            Render.text(out, view);
        }
    }
}
