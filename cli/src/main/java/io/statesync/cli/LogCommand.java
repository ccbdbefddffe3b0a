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
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code statesync log dump PATH}: an event log's events as JSON lines. Reads only. */
@Command(name = "log", description = "Event logs.", subcommands = LogCommand.Dump.class)
final class LogCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a command is missing: dump");
    }

    @Command(
            name = "dump",
            description = "Prints the events of the event log at PATH as JSON lines:"
                    + " {\"position\":N,\"size\":BYTES,\"value\":...}, from --from to --to.")
    static final class Dump implements Callable<Integer> {
        @Mixin
        ReadOptions options;

        @Parameters(index = "0", paramLabel = "PATH", description = "The event log's path.")
        String path;

        @Option(names = "--from", defaultValue = "0", paramLabel = "N", description = "First position (default: 0).")
        long from;

        @Option(
                names = "--to",
                defaultValue = "" + Long.MAX_VALUE,
                paramLabel = "M",
                description = "End position, exclusive (default: the log's end).")
        long to;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            String p = ReadOptions.checkPath(path);
            if (from < 0 || to < from) {
                throw new CliException(
                        CliException.FAILED, "--from must be >= 0 and --to >= --from, were " + from + " and " + to);
            }
            PrintWriter out = spec.commandLine().getOut();
            try (Session s = Session.open(options.connection)) {
                Inspector inspector = new Inspector(s.znodes, options.format, options.max);
                Znodes.Node node = inspector.require(p);
                Kind kind = inspector.recognise(node).orElse(null);
                String logPath = p;
                if (kind == Kind.REPLICATED_STATE) {
                    logPath = p + "/commands"; // its command log
                } else if (kind != Kind.EVENT_LOG) {
                    throw new CliException(
                            CliException.NO_RECIPE,
                            "no event log at " + p + (kind == null ? "" : ": it is a " + kind.label));
                }
                inspector.events(logPath, from, to, (Map<String, Object> e) -> out.println(Render.jsonLine(e)));
            }
            out.flush();
            return 0;
        }
    }
}
