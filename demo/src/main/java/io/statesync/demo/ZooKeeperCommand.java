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

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Runs a local ZooKeeper (one server or an ensemble) in the foreground until Ctrl-C. */
@Command(
        name = "zookeeper",
        mixinStandardHelpOptions = true,
        description = {
            "Run a real ZooKeeper (ZooKeeper's own embedded server) on free loopback ports, with temporary"
                    + " data directories, in the foreground until Ctrl-C; then stop it and remove its directories.",
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

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "0",
            description = "Client port of the first server (the others of an ensemble use the next ones);"
                    + " default: free ports.")
    int port;

    @Override
    public Integer call() throws Exception {
        if (servers != 1 && servers != 3 && servers != 5) {
            throw new ParameterException(spec.commandLine(), "--servers must be 1, 3 or 5, was " + servers);
        }
        if (port < 0 || port > 65535 - servers) {
            throw new ParameterException(spec.commandLine(), "--port must be a TCP port, was " + port);
        }
        Console console = new Console(spec.commandLine().getOut(), true);
        try (StopSignal signal = new StopSignal();
                EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(servers, port)) {
            console.say("ZooKeeper " + (servers == 1 ? "server" : servers + "-server ensemble") + " running.");
            console.say("connect string: " + zk.connectString());
            console.say("data directory: " + zk.directory() + " (removed when stopped)");
            console.say("Press Ctrl-C to stop.");
            signal.await();
            console.say("stopping ZooKeeper");
        }
        return Demo.OK;
    }
}
