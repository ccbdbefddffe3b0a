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
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code statesync watch PATH}: the inspect view, again every interval, until Ctrl-C. Reads only. */
@Command(
        name = "watch",
        description = "Shows the recipe at PATH as inspect does, again every --interval, until Ctrl-C. Reads only:"
                + " it polls, and sets no watch.")
final class WatchCommand implements Callable<Integer> {
    @Mixin
    ReadOptions options;

    @Parameters(index = "0", paramLabel = "PATH", description = "The recipe's path, relative to the namespace.")
    String path;

    @Option(
            names = "--interval",
            defaultValue = "2s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How often to read it again (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--count", hidden = true, defaultValue = "0", description = "Stop after N views (0: never).")
    int count;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        String p = ReadOptions.checkPath(path);
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = Session.open(options.connection)) {
            for (int shown = 0; count == 0 || shown < count; shown++) {
                if (shown > 0) {
                    Thread.sleep(interval.toMillis()); // a poll interval, not a synchronisation
                }
                Map<String, Object> view = new Inspector(s.znodes, options.format, options.max).inspect(p);
                if (options.json) {
                    out.println(Render.jsonLine(view)); // one document a line
                    out.flush();
                } else {
                    out.println("--- " + LocalTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS));
                    Render.text(out, view);
                }
            }
        }
        return 0;
    }
}
