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

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code statesync} command: {@code inspect}, {@code tree}, {@code watch}, {@code log dump}
 * (reads only) and {@code queue requeue}, {@code queue purge-dead} (repairs, confirmed or {@code
 * --yes}).
 *
 * <p>Exit codes: 0 done; 1 failed (a one-line reason on standard error); 2 bad usage; 3 ZooKeeper
 * unreachable within the connection timeout; 4 no znode at the path; 5 the path holds no recipe
 * (or not the kind the command needs); 6 a repair was not confirmed, nothing changed.
 */
@Command(
        name = "statesync",
        mixinStandardHelpOptions = true,
        versionProvider = Statesync.Version.class,
        description = "Shows and repairs the state of statesync's recipes on a live ZooKeeper ensemble.",
        subcommands = {InspectCommand.class, TreeCommand.class, WatchCommand.class, LogCommand.class, QueueCommand.class
        })
public final class Statesync implements Runnable {
    final InputStream in;

    @Spec
    CommandSpec spec;

    Statesync(InputStream in) {
        this.in = in;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "a command is missing: inspect, tree, watch, log dump or queue");
    }

    /**
     * Runs the command and exits with its code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(System.in, System.out, System.err, args));
    }

    /**
     * Runs the command.
     *
     * @param in standard input (the confirmation of a repair)
     * @param out standard output
     * @param err standard error
     * @param args the command line
     * @return the exit code
     */
    static int run(InputStream in, PrintStream out, PrintStream err, String... args) {
        CommandLine cl = new CommandLine(new Statesync(in));
        PrintWriter o = new PrintWriter(new java.io.OutputStreamWriter(out, Charset.defaultCharset()), true);
        PrintWriter e = new PrintWriter(new java.io.OutputStreamWriter(err, Charset.defaultCharset()), true);
        cl.setOut(o);
        cl.setErr(e);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            o.flush();
            if (ex instanceof CliException c) {
                e.println("statesync: " + c.getMessage());
                return c.exitCode();
            }
            e.println("statesync: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
            return CliException.FAILED;
        });
        int code = cl.execute(args);
        o.flush();
        e.flush();
        return code;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Statesync.class.getPackage().getImplementationVersion();
            return new String[] {"statesync " + (v == null ? "(development build)" : v)};
        }
    }
}
