package io.statesync.demo;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The statesync demo: {@code java -jar statesync-demo.jar <command>}. */
@Command(
        name = "statesync-demo",
        mixinStandardHelpOptions = true,
        version = "statesync demo 0.1.0-SNAPSHOT",
        description =
                "statesync recipes across several nodes, on an embedded ZooKeeper or the one given with --connect.",
        subcommands = {ZooKeeperCommand.class})
public final class Demo {
    private Demo() {}

    /**
     * Runs a command and exits with its code: 0 success, 1 failure, 2 bad usage.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Demo());
    }
}
