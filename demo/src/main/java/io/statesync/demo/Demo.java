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

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The statesync demo: {@code java -jar statesync-demo.jar <command>}.
 *
 * <p>Exit codes: {@value #OK} success; {@value #FAILED} a tour step or a command failed; {@value
 * #USAGE} bad usage (unknown option, bad value); {@value #UNREACHABLE} ZooKeeper could not be
 * reached within the connection timeout. A command stopped with Ctrl-C exits the way the JVM does
 * on a signal (130 for SIGINT, 143 for SIGTERM), after closing everything it opened.
 */
@Command(
        name = "statesync-demo",
        mixinStandardHelpOptions = true,
        version = "statesync demo 0.1.0-SNAPSHOT",
        description = {
            "statesync recipes across several nodes, on an embedded ZooKeeper or the one given with --connect.",
            "",
            "Start with 'tour': one process, an embedded ZooKeeper, three nodes, every recipe, a failover. Then run"
                    + " 'zookeeper' in one terminal and 'config', 'lock', 'singleton', 'ledger', 'replicated', 'members'"
                    + " or 'queue' in several others, and watch the nodes react to each other.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:a tour step or a command failed",
            "2:bad usage (unknown option, bad value)",
            "3:ZooKeeper unreachable within the connection timeout",
            "130:stopped with Ctrl-C (after closing everything cleanly)"
        },
        subcommands = {
            TourCommand.class,
            ZooKeeperCommand.class,
            ConfigCommand.class,
            LockCommand.class,
            SingletonCommand.class,
            LedgerCommand.class,
            ReplicatedCommand.class,
            MembersCommand.class,
            QueueCommand.class
        })
public final class Demo implements Runnable {
    /** Success. */
    public static final int OK = 0;
    /** A tour step or a command failed. */
    public static final int FAILED = 1;
    /** Bad usage: unknown option, bad value. */
    public static final int USAGE = 2;
    /** ZooKeeper could not be reached within the connection timeout. */
    public static final int UNREACHABLE = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private Demo() {}

    /**
     * Runs a command and exits with its code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Without a command: the usage, as an error. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "Missing command: choose one of the commands below");
    }

    /**
     * The command line with the demo's error handling: known errors print one clear line on stderr
     * and exit with their code; anything else prints its stack trace and exits with {@value #FAILED}.
     *
     * @return the command line, ready to {@code execute}
     */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Demo());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine command = e.getCommandLine();
            PrintWriter err = command.getErr();
            err.println(e.getMessage());
            if (e instanceof CommandLine.UnmatchedArgumentException) {
                CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            }
            command.usage(err);
            err.flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof ZooKeeperUnreachableException) {
                err.println("error: " + e.getMessage());
                err.flush();
                return UNREACHABLE;
            }
            if (e instanceof IllegalArgumentException) {
                err.println("error: " + e.getMessage());
                err.println("Try '" + commandLine.getCommandSpec().qualifiedName() + " --help' for the options.");
                err.flush();
                return USAGE;
            }
            if (e instanceof InterruptedException) {
                err.println("interrupted");
                err.flush();
                return FAILED;
            }
            err.println("error: " + e);
            e.printStackTrace(err);
            err.flush();
            return FAILED;
        });
        return cl;
    }
}
