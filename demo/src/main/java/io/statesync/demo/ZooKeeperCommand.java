package io.statesync.demo;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs a local ZooKeeper (one server or an ensemble) in the foreground until Ctrl-C. */
@Command(
        name = "zookeeper",
        mixinStandardHelpOptions = true,
        description = {
            "Run a local ZooKeeper in the foreground until Ctrl-C, for the multi-terminal demos.",
            "Prints the connect string to pass to the other commands as --connect."
        })
final class ZooKeeperCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--servers",
            defaultValue = "1",
            description =
                    "1 for a single server, 3 or 5 for an ensemble on loopback ports (default: ${DEFAULT-VALUE}).")
    int servers;

    private final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(servers)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "statesync-demo-stop"));
            out.println("ZooKeeper " + (servers == 1 ? "server" : servers + "-server ensemble") + " running.");
            out.println("connect string: " + zk.connectString());
            out.println("Press Ctrl-C to stop.");
            out.flush();
            stop.await();
            out.println("stopping ZooKeeper");
            out.flush();
        }
        return 0;
    }
}
