package io.statesync.demo;

import java.time.Duration;

/** No connection to the ZooKeeper given with {@code --connect} within the connection timeout. */
final class ZooKeeperUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ZooKeeperUnreachableException(String connectString, Duration timeout) {
        super("cannot reach ZooKeeper at " + connectString + " within " + DurationConverter.show(timeout)
                + ": is it running, and are host and port right? Start one with: statesync-demo zookeeper");
    }
}
